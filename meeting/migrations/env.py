"""Alembic's entry for its own commands (``alembic.command`` with :func:`meeting.migrations.config`); the app itself
runs the migrations through :func:`meeting.migrations.upgrade_database`."""

from alembic import context

from meeting.db import make_engine


def _run() -> None:
    import os

    from sqlmodel import SQLModel

    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get(
        "DATABASE_URL", "sqlite:///instance/yishi.db"
    )
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=SQLModel.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=SQLModel.metadata)
        context.run_migrations()
    engine.dispose()


_run()
