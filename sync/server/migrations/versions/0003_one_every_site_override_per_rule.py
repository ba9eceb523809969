"""one every-site override per rule

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_index(
        "uq_rule_override_every_site",
        "rule_override",
        ["rule_code"],
        unique=True,
        sqlite_where=sa.text("site_id IS NULL"),
        postgresql_where=sa.text("site_id IS NULL"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("uq_rule_override_every_site", table_name="rule_override")
