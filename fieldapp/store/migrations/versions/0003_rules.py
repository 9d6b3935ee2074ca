"""rules: ladder episodes, revisits, case events, holidays, settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:04:06.241515
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from fieldapp.store.append_only import create_triggers, drop_triggers

from fieldapp.store.tables import APPEND_ONLY_TABLES_0003


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holiday',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hlc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('rule_setting',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value_json', sa.Text(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hlc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('case_event',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at_utc', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('officer_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_case_at', ['case_id', 'at_utc'], unique=False)

    op.create_table('episode_close',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('subject_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('violation_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('squad_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('closed_at_utc', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('officer_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('step_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], ),
    sa.ForeignKeyConstraint(['squad_id'], ['squad.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['ladder_step.id'], ),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], ),
    sa.ForeignKeyConstraint(['violation_code'], ['violation_type.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('episode_close', schema=None) as batch_op:
        batch_op.create_index('ix_episode_subject_violation_at', ['subject_id', 'violation_code', 'closed_at_utc'], unique=False)

    op.create_table('revisit',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('step_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('violation_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('squad_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('officer_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due_at_utc', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('done_at_utc', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('done_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hlc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['done_by'], ['officer.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], ),
    sa.ForeignKeyConstraint(['squad_id'], ['squad.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['ladder_step.id'], ),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], ),
    sa.ForeignKeyConstraint(['violation_code'], ['violation_type.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('revisit', schema=None) as batch_op:
        batch_op.create_index('ix_revisit_status_due', ['status', 'due_at_utc'], unique=False)
        batch_op.create_index(batch_op.f('ix_revisit_step_id'), ['step_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_revisit_subject_id'), ['subject_id'], unique=False)

    # Plain ADD COLUMN (no table rebuild): these tables are referenced by foreign keys
    # and hold legal records.
    op.add_column('case_file', sa.Column('state_json', sa.Text(), server_default='{}',
                                         nullable=False))
    op.add_column('case_file', sa.Column('next_deadline_at',
                                         sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_index('ix_case_file_next_deadline_at', 'case_file', ['next_deadline_at'])
    op.add_column('no_penalty_item', sa.Column('source', sa.String(), server_default='',
                                               nullable=False))
    op.add_column('violation_type', sa.Column('fine_min_yuan', sa.Float(), nullable=True))
    op.add_column('violation_type', sa.Column('fine_max_yuan', sa.Float(), nullable=True))
    for name, default in (('local_regulation', '0'), ('summary_allowed', '1')):
        op.add_column('violation_type', sa.Column(name, sa.Boolean(), server_default=default,
                                                  nullable=False))
    for name in ('skip_reason', 'notes'):
        op.add_column('violation_type', sa.Column(name, sa.String(), server_default='',
                                                  nullable=False))
    create_triggers(op.execute, APPEND_ONLY_TABLES_0003)


def downgrade() -> None:
    drop_triggers(op.execute, APPEND_ONLY_TABLES_0003)
    for name in ('notes', 'skip_reason', 'summary_allowed', 'local_regulation',
                 'fine_max_yuan', 'fine_min_yuan'):
        op.drop_column('violation_type', name)
    op.drop_column('no_penalty_item', 'source')
    op.drop_index('ix_case_file_next_deadline_at', 'case_file')
    op.drop_column('case_file', 'next_deadline_at')
    op.drop_column('case_file', 'state_json')
    for table in ('revisit', 'episode_close', 'case_event', 'rule_setting', 'holiday'):
        op.drop_table(table)
