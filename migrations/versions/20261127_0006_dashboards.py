"""dashboards: figures for fast region dashboards

Counter tables kept exact by triggers (see lifecert/dashboards/models.py), and the indexes the
dashboard queries need.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_NEEDS_VISIT = ("status = 'suspended' OR (status = 'active' AND "
                "cert_state IN ('overdue', 'under_review', 'never'))")
_VISIT_INDEXES = {
    'ix_retiree_visit_urgency': ['valid_until', 'id'],
    'ix_retiree_visit_name': ['name', 'id'],
    'ix_retiree_visit_age': ['birth_date', 'id'],
    'ix_retiree_visit_community': ['community_id', 'valid_until', 'id'],
}


def _counter(name: str, *keys: sa.Column) -> None:
    op.create_table(name,
    sa.Column('region_id', _ID, nullable=False),
    *keys,
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f(f'fk_{name}_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', *(k.name for k in keys), name=op.f(f'pk_{name}'))
    )


def upgrade() -> None:
    _counter('dashboard_status_count', sa.Column('status', sa.String(length=16), nullable=False),
             sa.Column('cert_state', sa.String(length=16), nullable=False))
    _counter('dashboard_retiree_count', sa.Column('status', sa.String(length=16), nullable=False),
             sa.Column('cert_state', sa.String(length=16), nullable=False),
             sa.Column('birth_year', sa.Integer(), nullable=False))
    _counter('dashboard_monthly_certified', sa.Column('month', sa.Integer(), nullable=False))
    op.create_table('dashboard_monthly_rate',
    sa.Column('region_id', _ID, nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('elderly', sa.Integer(), nullable=False),
    sa.Column('valid', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_dashboard_monthly_rate_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', 'month', name=op.f('pk_dashboard_monthly_rate'))
    )
    with op.batch_alter_table('retiree', schema=None) as batch_op:
        batch_op.create_index('ix_retiree_dash_birth', ['birth_date', 'community_id', 'status', 'cert_state'], unique=False)
        for name, columns in _VISIT_INDEXES.items():
            batch_op.create_index(name, columns, unique=False,
                                  postgresql_where=sa.text(_NEEDS_VISIT), sqlite_where=sa.text(_NEEDS_VISIT))
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.create_index('ix_certification_dash_failures', ['outcome', 'created_at', 'retiree_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        _postgres_triggers()
    else:
        _sqlite_triggers()
    _fill_counters()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in ('retiree', 'certification'):
            for event in ('ins', 'upd', 'del'):
                op.execute(f'DROP TRIGGER IF EXISTS dashboard_{table}_{event} ON {table}')
        op.execute('DROP FUNCTION IF EXISTS dashboard_retiree_counts()')
        op.execute('DROP FUNCTION IF EXISTS dashboard_certification_counts()')
    else:
        for name in ('retiree_ins', 'retiree_upd', 'retiree_del', 'certification_ins',
                     'certification_upd', 'certification_del'):
            op.execute(f'DROP TRIGGER IF EXISTS dashboard_{name}')
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.drop_index('ix_certification_dash_failures')
    with op.batch_alter_table('retiree', schema=None) as batch_op:
        for name in _VISIT_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_index('ix_retiree_dash_birth')
    op.drop_table('dashboard_monthly_rate')
    op.drop_table('dashboard_monthly_certified')
    op.drop_table('dashboard_retiree_count')
    op.drop_table('dashboard_status_count')


# --- PostgreSQL: one grouped upsert per statement, fanned out to every region above ---------
# The month of a decision in Beijing time, as yyyymm.
_PG_MONTH = "to_char(c.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMM')::int"
# A community's path "/1/2/3/4/5/" lists the ids of all regions it belongs to, itself included.
_PG_FAN = ("JOIN region g ON g.id = x.community_id CROSS JOIN LATERAL "
           "unnest(string_to_array(trim(both '/' from g.path), '/')::bigint[]) AS a(region_id)")
_PG_COUNTS = (
    "WITH x AS (SELECT community_id, status, cert_state, birth_year, sum(delta) AS delta "
    "FROM ({rows}) AS r GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0), "
    f"fan AS (SELECT a.region_id, x.status, x.cert_state, x.birth_year, x.delta FROM x {_PG_FAN}), "
    "statuses AS (INSERT INTO dashboard_status_count AS d (region_id, status, cert_state, n) "
    "SELECT region_id, status, cert_state, sum(delta) FROM fan GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 "
    "ON CONFLICT (region_id, status, cert_state) DO UPDATE SET n = d.n + EXCLUDED.n) "
    "INSERT INTO dashboard_retiree_count AS d (region_id, status, cert_state, birth_year, n) "
    "SELECT region_id, status, cert_state, birth_year, sum(delta) FROM fan "
    "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 "
    "ON CONFLICT (region_id, status, cert_state, birth_year) DO UPDATE SET n = d.n + EXCLUDED.n"
)
_PG_COUNT_ROWS = (
    "SELECT community_id, status, cert_state, extract(year FROM birth_date)::int AS birth_year, "
    "{sign} AS delta FROM {table}"
)
_PG_MONTHS = (
    "WITH x AS (SELECT r.community_id, m.month, sum(m.delta) AS delta FROM ({rows}) AS m "
    "JOIN retiree r ON r.id = m.retiree_id GROUP BY 1, 2 HAVING sum(m.delta) <> 0) "
    "INSERT INTO dashboard_monthly_certified AS d (region_id, month, n) "
    f"SELECT a.region_id, x.month, sum(x.delta) FROM x {_PG_FAN} GROUP BY 1, 2 ORDER BY 1, 2 "
    "ON CONFLICT (region_id, month) DO UPDATE SET n = d.n + EXCLUDED.n"
)
_PG_MONTH_ROWS = (
    f"SELECT c.retiree_id, {_PG_MONTH} AS month, {{sign}} AS delta FROM {{table}} c "
    "WHERE c.outcome = 'certified'"
)


def _postgres_triggers() -> None:
    """Statement-level triggers with transition tables: COPY of a million rows or the nightly
    cycle's bulk updates cost one aggregate each, not a million row updates."""
    for name, function, rows, upsert in (
        ('retiree', 'dashboard_retiree_counts', _PG_COUNT_ROWS, _PG_COUNTS),
        ('certification', 'dashboard_certification_counts', _PG_MONTH_ROWS, _PG_MONTHS),
    ):
        new = rows.format(sign=1, table='new_rows')
        old = rows.format(sign=-1, table='old_rows')
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {upsert.format(rows=new)}; "
            f"ELSIF TG_OP = 'DELETE' THEN {upsert.format(rows=old)}; "
            f"ELSE {upsert.format(rows=new + ' UNION ALL ' + old)}; "
            "END IF; RETURN NULL; END $$"
        )
        op.execute(f"CREATE TRIGGER dashboard_{name}_ins AFTER INSERT ON {name} "
                   f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        op.execute(f"CREATE TRIGGER dashboard_{name}_upd AFTER UPDATE ON {name} "
                   "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        op.execute(f"CREATE TRIGGER dashboard_{name}_del AFTER DELETE ON {name} "
                   f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()")


# --- SQLite (development): row-level triggers; ancestors from the path via json_each ---------
# "/1/2/3/" -> [1,2,3]: the ids of every region the community belongs to, itself included.
_SQLITE_IDS = "json_each('[' || replace(trim(g.path, '/'), '/', ',') || ']')"


def _sqlite_regions(community: str) -> str:
    return f"FROM region g, {_SQLITE_IDS} a WHERE g.id = {community}"


_SQLITE_YEAR = "CAST(strftime('%Y', {r}.birth_date) AS INTEGER)"


def _sqlite_add_counts(r: str) -> str:
    year = _SQLITE_YEAR.format(r=r)
    return (
        "INSERT INTO dashboard_status_count (region_id, status, cert_state, n) "
        f"SELECT a.value, {r}.status, {r}.cert_state, 1 {_sqlite_regions(f'{r}.community_id')} "
        "ON CONFLICT (region_id, status, cert_state) DO UPDATE SET n = n + 1; "
        "INSERT INTO dashboard_retiree_count (region_id, status, cert_state, birth_year, n) "
        f"SELECT a.value, {r}.status, {r}.cert_state, {year}, 1 "
        f"{_sqlite_regions(f'{r}.community_id')} "
        "ON CONFLICT (region_id, status, cert_state, birth_year) DO UPDATE SET n = n + 1;"
    )


_ANCESTORS = "region_id IN (SELECT a.value " + _sqlite_regions("{community}") + ")"
_SQLITE_SUB_COUNTS = (
    "UPDATE dashboard_status_count SET n = n - 1 WHERE status = OLD.status "
    "AND cert_state = OLD.cert_state AND " + _ANCESTORS.format(community='OLD.community_id') + "; "
    "UPDATE dashboard_retiree_count SET n = n - 1 WHERE status = OLD.status "
    "AND cert_state = OLD.cert_state AND birth_year = " + _SQLITE_YEAR.format(r='OLD') + " AND "
    + _ANCESTORS.format(community='OLD.community_id') + ";"
)
_SQLITE_MONTH = "CAST(strftime('%Y%m', {r}.created_at, '+8 hours') AS INTEGER)"
_SQLITE_ADD_MONTH = (
    "INSERT INTO dashboard_monthly_certified (region_id, month, n) "
    "SELECT a.value, " + _SQLITE_MONTH.format(r='NEW') + ", 1 "
    + _sqlite_regions("(SELECT community_id FROM retiree WHERE id = NEW.retiree_id)")
    + " AND NEW.outcome = 'certified' "
    "ON CONFLICT (region_id, month) DO UPDATE SET n = n + 1;"
)
_SQLITE_SUB_MONTH = (
    "UPDATE dashboard_monthly_certified SET n = n - 1 WHERE OLD.outcome = 'certified' "
    "AND month = " + _SQLITE_MONTH.format(r='OLD') + " AND "
    + _ANCESTORS.format(community='(SELECT community_id FROM retiree WHERE id = OLD.retiree_id)')
    + ";"
)


def _sqlite_triggers() -> None:
    watched = 'community_id, status, cert_state, birth_date'
    op.execute(f"CREATE TRIGGER dashboard_retiree_ins AFTER INSERT ON retiree BEGIN "
               f"{_sqlite_add_counts('NEW')} END")
    op.execute(f"CREATE TRIGGER dashboard_retiree_upd AFTER UPDATE OF {watched} ON retiree BEGIN "
               f"{_SQLITE_SUB_COUNTS} {_sqlite_add_counts('NEW')} END")
    op.execute(f"CREATE TRIGGER dashboard_retiree_del AFTER DELETE ON retiree BEGIN {_SQLITE_SUB_COUNTS} END")
    op.execute(f"CREATE TRIGGER dashboard_certification_ins AFTER INSERT ON certification BEGIN "
               f"{_SQLITE_ADD_MONTH} END")
    op.execute("CREATE TRIGGER dashboard_certification_upd AFTER UPDATE OF outcome, created_at, "
               f"retiree_id ON certification BEGIN {_SQLITE_SUB_MONTH} {_SQLITE_ADD_MONTH} END")
    op.execute(f"CREATE TRIGGER dashboard_certification_del BEFORE DELETE ON certification BEGIN "
               f"{_SQLITE_SUB_MONTH} END")


def _fill_counters() -> None:
    """Existing rows (an upgraded database): count them once."""
    for statement in _recount_sql(op.get_bind().dialect.name):
        op.execute(statement)


def _recount_sql(dialect: str) -> list[str]:
    """Count every existing row once (kept in step with lifecert.dashboards.history)."""
    if dialect == 'postgresql':
        year = "extract(year FROM birth_date)::int"
        month = _PG_MONTH
        fan = _PG_FAN
        rid = 'a.region_id'
    else:
        year = "CAST(strftime('%Y', birth_date) AS INTEGER)"
        month = _SQLITE_MONTH.format(r='c')
        fan = f"JOIN region g ON g.id = x.community_id JOIN {_SQLITE_IDS} a"
        rid = 'a.value'
    return [
        "INSERT INTO dashboard_status_count (region_id, status, cert_state, n) "
        f"SELECT {rid}, x.status, x.cert_state, sum(x.n) FROM (SELECT community_id, status, "
        f"cert_state, count(*) AS n FROM retiree GROUP BY 1, 2, 3) x {fan} GROUP BY 1, 2, 3",
        "INSERT INTO dashboard_retiree_count (region_id, status, cert_state, birth_year, n) "
        f"SELECT {rid}, x.status, x.cert_state, x.birth_year, sum(x.n) FROM (SELECT "
        f"community_id, status, cert_state, {year} AS birth_year, count(*) AS n FROM retiree "
        f"GROUP BY 1, 2, 3, 4) x {fan} GROUP BY 1, 2, 3, 4",
        "INSERT INTO dashboard_monthly_certified (region_id, month, n) "
        f"SELECT {rid}, x.month, sum(x.n) FROM (SELECT r.community_id, "
        f"{month} AS month, count(*) AS n FROM certification c JOIN retiree r "
        f"ON r.id = c.retiree_id WHERE c.outcome = 'certified' GROUP BY 1, 2) x {fan} GROUP BY 1, 2",
    ]
