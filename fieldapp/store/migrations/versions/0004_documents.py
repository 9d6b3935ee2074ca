"""Documents: number blocks, voided numbers, service records; officer login

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 10:23:19.658993
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from fieldapp.store.append_only import create_triggers, drop_triggers

from fieldapp.store.tables import APPEND_ONLY_TABLES_0004


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('number_block',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('squad_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('first_serial', sa.Integer(), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.Column('next_serial', sa.Integer(), nullable=False),
    sa.Column('device_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hlc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], ),
    sa.ForeignKeyConstraint(['squad_id'], ['squad.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('squad_id', 'kind', 'year', 'first_serial')
    )
    with op.batch_alter_table('number_block', schema=None) as batch_op:
        batch_op.create_index('ix_number_block_lookup', ['squad_id', 'kind', 'year', 'device_id'], unique=False)

    op.create_table('document_service',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('served_at_utc', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('receiver', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('refused', sa.Boolean(), nullable=False),
    sa.Column('refusal_note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('witness', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('officer1_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('officer2_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['officer1_id'], ['officer.id'], ),
    sa.ForeignKeyConstraint(['officer2_id'], ['officer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_service_document_id'), ['document_id'], unique=False)

    op.create_table('voided_number',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('squad_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('officer_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at_utc', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], ),
    sa.ForeignKeyConstraint(['squad_id'], ['squad.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('squad_id', 'kind', 'year', 'serial')
    )
    # Plain ADD COLUMN: document and officer are referenced by legal records.
    for name, default in (('layout', 'a4'), ('qr_payload', ''), ('signature', '')):
        op.add_column('document', sa.Column(name, sa.String(), server_default=default,
                                            nullable=False))
    op.add_column('officer', sa.Column('password_hash', sa.String(), server_default='',
                                       nullable=False))
    op.add_column('officer', sa.Column('failed_logins', sa.Integer(), server_default='0',
                                       nullable=False))
    op.add_column('officer', sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(),
                                       nullable=True))
    create_triggers(op.execute, APPEND_ONLY_TABLES_0004)


def downgrade() -> None:
    drop_triggers(op.execute, APPEND_ONLY_TABLES_0004)
    for name in ('locked_until', 'failed_logins', 'password_hash'):
        op.drop_column('officer', name)
    for name in ('signature', 'qr_payload', 'layout'):
        op.drop_column('document', name)
    for table in ('voided_number', 'document_service', 'number_block'):
        op.drop_table(table)
