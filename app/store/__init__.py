"""The registry store: persistence of entities, aliases and judgements (SQLAlchemy Core)."""
