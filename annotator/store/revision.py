"""The store revision this annotator reads and writes, in a module of its own: the commands
that read a SQLite store through sqlite3 alone (`status_direct`) check it without loading
SQLAlchemy or Alembic."""

# The newest revision in migrations/versions; a test keeps it equal to Alembic's own head.
HEAD = "0009"
