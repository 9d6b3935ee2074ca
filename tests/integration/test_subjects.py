"""Subjects through the services, on a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from fieldapp import i18n
from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.services.subjects import create_subject, find_subjects, update_subject


def _count(org, table: str) -> int:
    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_create_writes_row_outbox_and_audit_together(org) -> None:
    before = (_count(org, "subject"), _count(org, "outbox"), _count(org, "audit_event"))
    written = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, name="刘德福", shop_sign="鑫源五金店",
        phone="13812345678", address="建设路12号", credit_code="91350100M000100Y43"))
    assert ChangeKind.SUBJECTS in written.changed
    after = (_count(org, "subject"), _count(org, "outbox"), _count(org, "audit_event"))
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_bad_id_number_names_the_field_in_chinese_and_writes_nothing(org) -> None:
    before = (_count(org, "subject"), _count(org, "outbox"), _count(org, "audit_event"))
    with pytest.raises(ValidationError) as err:
        create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
            kind=SubjectKind.INDIVIDUAL, name="张三", id_number="110105194912310021"))
    message = i18n.describe(err.value)
    assert message.startswith("身份证号")
    assert "X" in message
    after = (_count(org, "subject"), _count(org, "outbox"), _count(org, "audit_event"))
    assert after == before


def test_duplicate_credit_code_is_refused(org) -> None:
    data = SubjectData(kind=SubjectKind.BUSINESS, name="示例市宏达建筑工程有限公司",
                       credit_code="91350100M000100Y43")
    create_subject(ctx=org.ctx, officer_id=org.officers[0], data=data)
    with pytest.raises(ValidationError) as err:
        create_subject(ctx=org.ctx, officer_id=org.officers[0], data=data)
    assert err.value.field == "unified social credit code"


def test_update_records_only_real_changes_and_reindexes(org) -> None:
    sid = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="陈晓东", phone="13900001111")).id
    outbox = _count(org, "outbox")
    update_subject(ctx=org.ctx, officer_id=org.officers[0],
                   subject_id=sid, changes={"phone": "13900001111"})
    assert _count(org, "outbox") == outbox  # nothing changed, nothing recorded
    update_subject(ctx=org.ctx, officer_id=org.officers[0],
                   subject_id=sid, changes={"name": "陈晓南"})
    assert _count(org, "outbox") == outbox + 1
    assert [s.id for s in find_subjects(ctx=org.ctx, query="晓南")] == [sid]
    assert find_subjects(ctx=org.ctx, query="晓东") == []


def test_unidentified_vendor_needs_a_description(org) -> None:
    with pytest.raises(ValidationError) as err:
        create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
            kind=SubjectKind.UNIDENTIFIED_VENDOR))
    assert err.value.field == "appearance"
    vendor = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="烤红薯", appearance="老年男子，推三轮车",
        usual_place="地铁站B口"))
    assert [s.id for s in find_subjects(ctx=org.ctx, query="红薯")] == [vendor.id]


@pytest.fixture
def people(org):
    rows = [
        ("张三李", "", "13812345678", "建设路1号", SubjectKind.INDIVIDUAL),
        ("王伟", "好再来烧烤", "15987654321", "人民路88号", SubjectKind.INDIVIDUAL_BUSINESS),
        ("李三", "", "", "和平街3号", SubjectKind.INDIVIDUAL),
        ("单伟", "", "", "胜利街5号", SubjectKind.INDIVIDUAL),
    ]
    ids = {}
    for name, sign, phone, address, kind in rows:
        ids[name] = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
            kind=kind, name=name, shop_sign=sign, phone=phone, address=address)).id
    return ids


@pytest.mark.parametrize(("query", "expected"), [
    ("张", {"张三李"}),
    ("三李", {"张三李"}),
    ("张三李", {"张三李"}),
    ("李", {"张三李", "李三"}),
    ("zsl", {"张三李"}),
    ("ZS", {"张三李"}),
    ("sl", {"张三李", "单伟"}),  # 张三李, and 胜利街 (an address: every field has initials)
    ("hzl", {"王伟"}),  # 好再来 (shop sign)
    ("烧烤", {"王伟"}),
    ("再来烧烤", {"王伟"}),
    ("1234", {"张三李"}),
    ("87654321", {"王伟"}),
    ("人民路", {"王伟"}),
    ("sw", {"单伟"}),  # 单 read as shan
    ("dw", {"单伟"}),  # ... or dan
])
def test_search_finds_by_fragments(org, people, query: str, expected: set[str]) -> None:
    found = {s.name for s in find_subjects(ctx=org.ctx, query=query)}
    assert found == expected


@pytest.mark.parametrize(("query", "goods"), [
    ("thl", "糖葫芦"), ("dhmz", "糖葫芦"), ("qnnz", "糖葫芦"),  # goods; 戴红帽子的青年男子
    ("rmldtz", "糖葫芦"), ("dtzbk", "糖葫芦"),  # 人民路地铁站B口, the usual place
    ("kdg", "烤地瓜"), ("zjxk", "烤地瓜"), ("cjxk", "烤地瓜"),  # 曾家巷口: zeng or ceng
    ("shsg", "烤地瓜"), ("dhsg", "烤地瓜"),  # 单号水果摊 (description): shan or dan
])
def test_a_vendor_is_found_by_the_initials_of_goods_look_and_place(org, query: str,
                                                                  goods: str) -> None:
    for data in (SubjectData(kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="糖葫芦",
                             appearance="戴红帽子的青年男子", usual_place="人民路地铁站B口"),
                 SubjectData(kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="烤地瓜",
                             appearance="推单号水果摊车的老人", usual_place="曾家巷口")):
        create_subject(ctx=org.ctx, officer_id=org.officers[0], data=data)
    assert [s.goods for s in find_subjects(ctx=org.ctx, query=query)] == [goods]


@pytest.mark.parametrize("query", ["zxm", "cxm", "dl", "sl"])
def test_a_heteronym_surname_matches_by_every_reading(org, query: str) -> None:
    ids = {create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name=name)).id for name in ("曾小明", "单丽")}
    found = {s.id for s in find_subjects(ctx=org.ctx, query=query)}
    assert len(found & ids) == 1


def test_search_checks_adjacency_of_longer_queries(org, people) -> None:
    # 三李 and 李三 share characters; "李三李" is in no name.
    assert find_subjects(ctx=org.ctx, query="三李三") == []


def test_exact_id_number_is_found_first(org) -> None:
    sid = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="孙丽", id_number="11010519491231002x")).id
    found = find_subjects(ctx=org.ctx, query="11010519491231002X")
    assert found[0].id == sid
    assert found[0].gender == "female"
    assert str(found[0].birth_date) == "1949-12-31"
    assert [s.id for s in find_subjects(ctx=org.ctx, query="1231002")] == [sid]


def test_a_failed_write_leaves_neither_row_nor_outbox_nor_audit(org) -> None:
    from fieldapp.store.tables import Subject

    before = (_count(org, "subject"), _count(org, "outbox"), _count(org, "audit_event"))
    with pytest.raises(RuntimeError, match="power cut"), org.ctx.write(action=Action.SET_UP) as tx:
        tx.add(Subject(id=tx.new_id(), local_seq=999, kind="individual", name="半途",
                       created_at=tx.now, updated_at=tx.now))
        tx.audit("subject.create", "subject", "x", {})
        assert _count(org, "outbox") == before[1]  # not visible to others before commit
        raise RuntimeError("power cut")
    after = (_count(org, "subject"), _count(org, "outbox"), _count(org, "audit_event"))
    assert after == before
