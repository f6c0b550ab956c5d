"""Meetings of the demo council: a past session in Aktau with approved minutes and the commitments its
decisions created, an upcoming ecology meeting in Turkmenbashi, and an online digitalization meeting.

Built through the services, as a secretary and the co-chairs would, so events and tracker records are
real. Each meeting is found again by its reference, so loading twice changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from council.demo.directory import COUNCIL_SLUG
from council.directory.models import Council, Organisation, User, WorkingGroup
from council.extensions import db
from council.meetings import agenda, attendance, decisions, services
from council.meetings import minutes as meeting_minutes
from council.meetings.agenda import AgendaItemDetails
from council.meetings.decisions import CommitmentDraft, DecisionDetails
from council.meetings.models import AttendanceMode, Meeting, MeetingKind, Response
from council.meetings.services import MeetingDetails


def _people(*emails: str) -> list[User]:
    found = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    return [found[email] for email in emails]


def _organisations(council: Council, *codes: str) -> list[Organisation]:
    found = {o.code: o for o in db.session.scalars(select(Organisation).where(
        Organisation.council_id == council.id, Organisation.code.in_(codes)))}
    return [found[code] for code in codes]


def _group(council: Council, slug: str) -> WorkingGroup:
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.council_id == council.id,
                                                         WorkingGroup.slug == slug))
    assert group is not None  # noqa: S101  demo data it has just created; narrows the type
    return group


def _exists(council: Council, reference: str) -> bool:
    return db.session.scalar(select(Meeting.id).where(Meeting.council_id == council.id,
                                                      Meeting.reference == reference)) is not None


def _upcoming(days: int, hour: int, zone: str) -> datetime:
    day = datetime.now(ZoneInfo(zone)).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0)


def _item(ru: str, en: str, minutes: int, presenter: User | None = None, parent: int | None = None,
          kk: str | None = None, tk: str | None = None) -> AgendaItemDetails:
    title = {"ru": ru, "en": en} | ({"kk": kk} if kk else {}) | ({"tk": tk} if tk else {})
    return AgendaItemDetails(title=title, original_language="ru", duration_minutes=minutes,
                             presenter_id=presenter.id if presenter else None, parent_id=parent)


def _past_session(council: Council) -> None:
    """The second council session, Aktau, 14 November 2025: held, minutes approved by both co-chairs."""
    reference = "CS-2025-02"
    if _exists(council, reference):
        return
    secretary, secretary_tm, chair_kz, chair_tm, eco_kz, customs_kz, customs_tm = _people(
        "secretary@council-demo.org", "secretary.tm@council-demo.org", "cochair.kz@council-demo.org",
        "cochair.tm@council-demo.org", "dinara.kaliyeva@council-demo.org", "member@council-demo.org",
        "member.tm@council-demo.org")
    organisations = _organisations(council, "mangystau-akimat", "balkan-hyakimlik", "kz-customs",
                                   "tm-customs", "kz-border-service", "tm-border-service", "undp")
    session = services.schedule_meeting(secretary, council, kind=MeetingKind.COUNCIL_SESSION, group=None,
                                        details=MeetingDetails(
        title={"ru": "Второе заседание Совета трансграничного сотрудничества",
               "kk": "Трансшекаралық ынтымақтастық кеңесінің екінші отырысы",
               "tk": "Serhetara hyzmatdaşlyk geňeşiniň ikinji mejlisi",
               "en": "Second session of the Cross-Border Cooperation Council"},
        original_language="ru", starts_at=datetime(2025, 11, 14, 10, 0),
        ends_at=datetime(2025, 11, 14, 16, 0), time_zone="Asia/Aqtau",
        place="Актау, здание акимата Мангистауской области, зал заседаний",
        invite_user_ids=(chair_kz.id, chair_tm.id, secretary_tm.id, eco_kz.id),
        invite_organisation_ids=tuple(o.id for o in organisations),
        session_chair_ids=(chair_kz.id, chair_tm.id)))
    session.reference = reference
    opening = agenda.add_agenda_item(secretary, session, _item(
        "Открытие заседания", "Opening of the session", 15, chair_kz,
        kk="Отырыстың ашылуы", tk="Mejlisiň açylyşy"))
    trade = agenda.add_agenda_item(secretary, session, _item(
        "Итоги торговли: 438,2 млн долларов США в 2022 году (+74 %)",
        "Trade results: USD 438.2 million in 2022 (+74 %)", 30, chair_tm))
    checkpoints = agenda.add_agenda_item(secretary, session, _item(
        "Модернизация пунктов пропуска Темирбаба – Гарабогаз и Болашак – Серхетяка",
        "Modernising the Temirbaba – Garabogaz and Bolashak – Serhetyaka checkpoints", 30, customs_kz))
    agenda.add_agenda_item(secretary, session, _item(
        "Электронная очередь для грузовиков", "Electronic queue for lorries", 30, customs_kz,
        parent=checkpoints.id))
    agenda.add_agenda_item(secretary, session, _item(
        "Предварительное уведомление о грузах", "Pre-arrival cargo notification", 30, customs_tm,
        parent=checkpoints.id))
    ecology = agenda.add_agenda_item(secretary, session, _item(
        "Совместный экологический мониторинг и обмен гидрометеоданными",
        "Joint environmental monitoring and hydro-meteorological data exchange", 45, eco_kz))
    agenda.add_agenda_item(secretary, session, _item("Разное", "Any other business", 15))
    services.publish_agenda(secretary, session)
    for chair in (chair_kz, chair_tm):
        invitation = services.invitation_for(chair, session)
        assert invitation is not None  # noqa: S101  demo data it has just created; narrows the type
        services.respond(chair, invitation, Response.ATTENDING)
    services.mark_held(secretary, session)
    attendance.record_attendance(secretary, session, {
        chair_kz.id: AttendanceMode.IN_PERSON, chair_tm.id: AttendanceMode.IN_PERSON,
        secretary.id: AttendanceMode.IN_PERSON, secretary_tm.id: AttendanceMode.IN_PERSON,
        customs_kz.id: AttendanceMode.IN_PERSON, customs_tm.id: AttendanceMode.ONLINE,
        eco_kz.id: AttendanceMode.IN_PERSON})
    meeting_minutes.save_minutes(secretary, session, original_language="ru", notes={
        "general": {"ru": "Заседание открыл сопредседатель Совета Е. Сарсенов. Присутствовали представители "
                          "обеих сторон; Туркменская таможенная служба участвовала онлайн.",
                    "en": "Co-chair Y. Sarsenov opened the session. Both sides were represented; the "
                          "Turkmen customs service took part online."},
        str(opening.id): {"ru": "Повестка дня утверждена без изменений."},
        str(trade.id): {"ru": "Товарооборот в 2022 году составил 438,2 млн долларов США, на 74 % больше, "
                              "чем в 2021 году. Стороны отметили рост экспорта муки и нефтепродуктов."},
        str(checkpoints.id): {"ru": "Среднее время прохождения грузовиков на Темирбаба – Гарабогаз "
                                    "превышает 6 часов. Таможенные службы предложили электронную очередь."},
        str(ecology.id): {"ru": "Решено создать общую сеть наблюдения и обмениваться данными ежемесячно."},
    })
    trade_group, ecology_group = _group(council, "trade"), _group(council, "ecology")
    kz_customs, tm_customs, kz_akimat, tm_hyakimlik = _organisations(
        council, "kz-customs", "tm-customs", "mangystau-akimat", "balkan-hyakimlik")
    decisions.add_decision(secretary, session, DecisionDetails(
        text={"ru": "Внедрить электронную очередь для грузовиков на пункте пропуска Темирбаба – Гарабогаз.",
              "en": "Introduce an electronic queue for lorries at the Temirbaba – Garabogaz checkpoint."},
        original_language="ru", agenda_item_id=checkpoints.id, create_recommendation=True,
        recommendation_group_id=trade_group.id, recommendation_priority="high",
        recommendation_title={"ru": "Электронная очередь на пункте Темирбаба – Гарабогаз",
                              "en": "Electronic queue at Temirbaba – Garabogaz"},
        commitments=(
            CommitmentDraft(kz_customs.id, customs_kz.id, date(2026, 6, 30),
                            {"ru": "Запустить электронную очередь на казахстанской стороне"}),
            CommitmentDraft(tm_customs.id, customs_tm.id, date(2027, 3, 31),
                            {"ru": "Подключить туркменскую сторону к электронной очереди"}))))
    decisions.add_decision(secretary, session, DecisionDetails(
        text={"ru": "Организовать совместный экологический мониторинг и ежемесячный обмен "
                    "гидрометеорологическими данными.",
              "en": "Set up joint environmental monitoring and a monthly exchange of hydro-meteorological "
                    "data."},
        original_language="ru", agenda_item_id=ecology.id, create_recommendation=True,
        recommendation_group_id=ecology_group.id,
        commitments=(
            CommitmentDraft(kz_akimat.id, None, date(2026, 9, 30),
                            {"ru": "Определить пункты наблюдения в Каракиянском районе"}),
            CommitmentDraft(tm_hyakimlik.id, None, _upcoming(10, 0, "Asia/Ashgabat").date(),
                            {"ru": "Передавать данные гидрометеостанций Эсенгулы ежемесячно"}))))
    decisions.add_decision(secretary, session, DecisionDetails(
        text={"ru": "Провести следующее заседание Совета в Туркменбаши.",
              "en": "Hold the next session of the Council in Turkmenbashi."},
        original_language="ru"))
    revision = meeting_minutes.publish_minutes(secretary, session)
    meeting_minutes.approve_minutes(chair_kz, session)
    meeting_minutes.approve_minutes(chair_tm, session)
    # As it happened: published the week after the session, approved by both sides soon after.
    revision.published_at = datetime(2025, 11, 19, 9, 0, tzinfo=UTC)
    for days, approval in enumerate(revision.approvals, start=1):
        approval.approved_at = revision.published_at + timedelta(days=days)
    revision.approved_at = revision.approvals[-1].approved_at


def _ecology_meeting(council: Council) -> None:
    """The ecology group meets in Turkmenbashi in two weeks; the agenda is published."""
    starts = _upcoming(14, 10, "Asia/Ashgabat")
    reference = f"ECO-{starts.year}-01"
    if _exists(council, reference):
        return
    group = _group(council, "ecology")
    secretary, eco_kz, eco_tm, observer = _people(
        "secretary@council-demo.org", "dinara.kaliyeva@council-demo.org", "maral.gurbanova@council-demo.org",
        "observer@council-demo.org")
    turkmenbashi, karakiyan = _organisations(council, "turkmenbashi-hyakimlik", "karakiyan-akimat")
    meeting = services.schedule_meeting(eco_tm, council, kind=MeetingKind.GROUP_MEETING, group=group,
                                        invite_group_members=True, details=MeetingDetails(
        title={"ru": "Совещание рабочей группы по экологии и водным ресурсам",
               "kk": "Экология және су ресурстары жұмыс тобының жиналысы",
               "tk": "Ekologiýa we suw serişdeleri iş toparynyň ýygnagy",
               "en": "Ecology and water working group meeting"},
        original_language="ru", starts_at=starts, ends_at=starts + timedelta(hours=3),
        time_zone="Asia/Ashgabat", place="Туркменбаши, здание хякимлика, малый зал",
        invite_user_ids=(observer.id,), invite_organisation_ids=(turkmenbashi.id, karakiyan.id)))
    meeting.reference = reference
    agenda.add_agenda_item(eco_tm, meeting, _item(
        "Открытие и утверждение повестки", "Opening and adoption of the agenda", 10, eco_tm,
        tk="Açylyş we gün tertibini tassyklamak"))
    agenda.add_progress_review(eco_tm, meeting)
    agenda.add_agenda_item(eco_tm, meeting, _item(
        "Деградация земель и опустынивание в Балканском велаяте",
        "Land degradation and desertification in Balkan velayat", 40, eco_tm))
    agenda.add_agenda_item(eco_tm, meeting, _item(
        "Проект ПРООН по восстановлению земель", "UNDP land restoration project", 30, observer))
    services.publish_agenda(secretary, meeting)
    for person in (eco_kz, observer):
        invitation = services.invitation_for(person, meeting)
        assert invitation is not None  # noqa: S101  demo data it has just created; narrows the type
        services.respond(person, invitation, Response.ATTENDING)


def _digital_meeting(council: Council) -> None:
    """An online digitalization meeting in three weeks, still being prepared (draft)."""
    starts = _upcoming(21, 11, "Asia/Aqtau")
    reference = f"DIG-{starts.year}-01"
    if _exists(council, reference):
        return
    group = _group(council, "digital")
    dig_kz, dig_tm = _people("askar.zhumabayev@council-demo.org", "ayna.berdiyeva@council-demo.org")
    meeting = services.schedule_meeting(dig_kz, council, kind=MeetingKind.GROUP_MEETING, group=group,
                                        invite_group_members=True, details=MeetingDetails(
        title={"ru": "Онлайн-совещание: электронные накладные и «умные границы»",
               "kk": "Онлайн жиналыс: электрондық жүкқұжаттар және «ақылды шекаралар»",
               "en": "Online meeting: electronic waybills and smart borders"},
        original_language="ru", starts_at=starts, ends_at=starts + timedelta(hours=2),
        time_zone="Asia/Aqtau", online_url="https://meet.council-demo.org/digital-waybills"))
    meeting.reference = reference
    queue = agenda.add_agenda_item(dig_kz, meeting, _item(
        "Электронные накладные: пилот на Болашак – Серхетяка",
        "Electronic waybills: a pilot at Bolashak – Serhetyaka", 40, dig_kz))
    agenda.add_agenda_item(dig_kz, meeting, _item(
        "Формат обмена данными", "Data exchange format", 20, dig_tm, parent=queue.id))
    agenda.add_agenda_item(dig_kz, meeting, _item(
        "Биометрический контроль и блокчейн-сертификация грузов",
        "Biometric control and blockchain certification of cargo", 30, dig_tm))


def load() -> None:
    council = db.session.scalar(select(Council).where(Council.slug == COUNCIL_SLUG))
    if council is None:
        return
    _past_session(council)
    _ecology_meeting(council)
    _digital_meeting(council)
    db.session.commit()
