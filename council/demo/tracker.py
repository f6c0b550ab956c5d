"""Recommendations, commitments, initiatives and indicators drawn from the study (DOMAIN.md).

Everything goes through the tracker's services, acted by the demo secretary, owners and co-chairs, so
each record has a real history. Dates are relative to today, so some commitments are always overdue
and some always due soon. Idempotent: a record whose code exists is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from council.directory.models import Council, Organisation, User, WorkingGroup
from council.extensions import db
from council.timeutil import council_today
from council.tracker import initiatives as tracker_initiatives
from council.tracker import services
from council.tracker.models import (
    Commitment,
    CommitmentStatus,
    Indicator,
    Initiative,
    Observation,
    Recommendation,
    RecommendationStatus,
)

SECRETARY = "secretary@council-demo.org"
STUDY = ("Kazakhstan–Turkmenistan cross-border relations: dynamics of cooperation, challenges and "
         "prospects (2025)")

RS = RecommendationStatus
CS = CommitmentStatus


@dataclass
class Step:
    """Something that happens to a demo commitment, in order."""

    kind: str  # report, verify, send_back, cancel
    progress: int = 0
    status: CommitmentStatus | None = None
    note: str = ""
    links: tuple[str, ...] = ()
    by: str | None = None  # e-mail of the actor (default: the owner, or the secretary)


@dataclass
class CommitmentSpec:
    code: str
    organisation: str
    owner: str | None
    description: dict[str, str]
    original_language: str
    start: int  # days from today
    due: int
    initiative: str | None = None
    counterpart: str | None = None
    steps: list[Step] = field(default_factory=list)


@dataclass
class RecommendationSpec:
    code: str
    group: str
    source: str
    reference: str
    priority: str
    public: bool
    original_language: str
    title: dict[str, str]
    text: dict[str, str]
    decision: tuple[RecommendationStatus, str | None] | None = (RS.ADOPTED, None)
    commitments: list[CommitmentSpec] = field(default_factory=list)
    closing: tuple[RecommendationStatus, str] | None = None  # after the commitments


INITIATIVES: list[dict[str, Any]] = [
    dict(code="UZEN-BEREKET-GORGAN", group="trade", original_language="ru", name={
        "ru": "Железная дорога Узень – Берекет – Горган", "kk": "Өзен – Берекет – Горган темір жолы",
        "tk": "Uzen – Bereket – Gorgan demir ýoly", "en": "Uzen – Bereket – Gorgan railway"}, description={
        "ru": "Часть коридора Север – Юг, открыта в 2014 году. Узень – Болашак – казахстанский "
              "логистический узел, станция Берекет – туркменский хаб.",
        "en": "Part of the North–South corridor, opened in 2014. Uzen–Bolashak is the Kazakh logistics "
              "node, Bereket station the Turkmen hub."},
         milestones=[({"ru": "Открытие движения по линии", "en": "Line opened to traffic"},
                      date(2014, 12, 3), date(2014, 12, 3)),
                     ({"ru": "Предварительное уведомление о грузах на Болашак – Серхетяка",
                       "en": "Pre-arrival cargo notification at Bolashak – Serhetyaka"}, -15, None),
                     ({"ru": "Электронные накладные на всей линии",
                       "en": "Electronic waybills on the whole line"}, 120, None)]),
    dict(code="BOLASHAK-SERHETYAKA", group="trade", original_language="ru", name={
        "ru": "Пункт пропуска Болашак – Серхетяка (железная дорога)",
        "kk": "Болашақ – Серхетяка өткізу пункті (темір жол)",
        "tk": "Bolaşak – Serhetýaka geçiş nokady (demir ýol)",
        "en": "Bolashak – Serhetyaka checkpoint (rail)"}, description={
        "ru": "Модернизация: пропускная способность, автоматизированная регистрация вагонов.",
        "en": "Modernisation: capacity and automated registration of wagons."},
         milestones=[({"ru": "Исследование пропускной способности", "en": "Capacity study"}, -200, -190),
                     ({"ru": "Автоматизированная регистрация вагонов",
                       "en": "Automated registration of wagons"}, 60, None)]),
    dict(code="TEMIRBABA-GARABOGAZ", group="trade", original_language="ru", name={
        "ru": "Пункт пропуска Темирбаба – Гарабогаз (автодорога)",
        "kk": "Темірбаба – Гарабогаз өткізу пункті (автожол)",
        "tk": "Temirbaba – Garabogaz geçiş nokady (awtoýol)",
        "en": "Temirbaba – Garabogaz checkpoint (road)"}, description={
        "ru": "Электронная очередь, предварительная запись грузовиков, вторая полоса досмотра.",
        "en": "Electronic queue, pre-booking for trucks, a second inspection lane."},
         milestones=[({"ru": "Пилот электронной очереди", "en": "Electronic queue pilot"}, -10, None),
                     ({"ru": "Вторая полоса досмотра", "en": "Second inspection lane"}, 200, None)]),
    dict(code="JOINT-INDUSTRIAL-ZONE", group="trade", original_language="ru", name={
        "ru": "Совместная индустриально-логистическая зона",
        "kk": "Бірлескен индустриялық-логистикалық аймақ",
        "tk": "Bilelikdäki senagat-logistika zolagy", "en": "Joint industrial and logistics zone"},
         description={
        "ru": "Переработка, хранение, фасовка и дистрибуция в приграничье; сдерживается отсутствием "
              "единого налогового и таможенного режима.",
        "en": "Processing, storage, packing and distribution in the border area; held back by the lack "
              "of a unified tax and customs regime."},
         milestones=[({"ru": "Технико-экономическое обоснование", "en": "Feasibility study"}, -90, -95),
                     ({"ru": "Соглашение о налоговом и таможенном режиме",
                       "en": "Agreement on the tax and customs regime"}, 300, None)]),
    dict(code="SMART-BORDERS", group="digital", original_language="ru", name={
        "ru": "«Умные границы»", "kk": "«Ақылды шекаралар»", "tk": "«Akylly serhetler»",
        "en": "Smart borders"}, description={
        "ru": "Биометрический контроль, блокчейн-сертификация грузов, дроны и видеонаблюдение.",
        "en": "Biometric control, blockchain certification of cargo, drones and video surveillance."},
         milestones=[({"ru": "Пилот биометрического контроля на Темирбаба",
                       "en": "Biometric control pilot at Temirbaba"}, 90, None)]),
    dict(code="JOINT-ECO-MONITORING", group="ecology", original_language="ru", name={
        "ru": "Совместная сеть экологического мониторинга", "kk": "Бірлескен экологиялық мониторинг желісі",
        "tk": "Bilelikdäki ekologiýa gözegçilik ulgamy", "en": "Joint environmental monitoring network"},
         description={"ru": "Обмен гидрометеоданными, наблюдение за опустыниванием и деградацией земель.",
                      "en": "Hydro-meteorological data exchange, watching desertification and land "
                            "degradation."},
         milestones=[({"ru": "Протокол обмена данными", "en": "Data exchange protocol"}, -30, None)]),
]

INDICATORS: list[dict[str, Any]] = [
    dict(code="TRADE-TURNOVER", group="trade", initiative=None, original_language="ru", unit="USD million",
         name={"ru": "Двусторонний товарооборот", "kk": "Екіжақты тауар айналымы",
               "tk": "Ikitaraplaýyn haryt dolanyşygy", "en": "Bilateral trade turnover"},
         description={"ru": "Товарооборот Казахстана и Туркменистана за год.",
                      "en": "Kazakhstan–Turkmenistan trade turnover over the year."},
         baseline=("438.2", date(2022, 12, 31)), target=("1000", date(2030, 12, 31)),
         observations=[(date(2021, 12, 31), "251.8", f"{STUDY}: 438.2 in 2022 was +74 % on 2021"),
                       (date(2022, 12, 31), "438.2", STUDY)]),
    dict(code="CROSSING-TIME-TG", group="trade", initiative="TEMIRBABA-GARABOGAZ", original_language="ru",
         unit="hours", name={"ru": "Среднее время прохождения грузовика на Темирбаба – Гарабогаз",
                             "en": "Average truck crossing time at Temirbaba – Garabogaz"},
         description={"ru": "От въезда в очередь до выезда с туркменской стороны.",
                      "en": "From joining the queue to leaving the Turkmen side."},
         baseline=("9", -365), target=("3", 365),
         observations=[(-365, "9", "Joint monitoring of the border services (demonstration figures)"),
                       (-180, "7.5", "Joint monitoring of the border services (demonstration figures)"),
                       (-30, "6", "Joint monitoring of the border services (demonstration figures)")]),
    dict(code="RAIL-FREIGHT-BS", group="trade", initiative="BOLASHAK-SERHETYAKA", original_language="ru",
         unit="thousand tonnes", name={"ru": "Грузы через Болашак – Серхетяка за квартал",
                                       "en": "Freight through Bolashak – Serhetyaka per quarter"},
         description={}, baseline=("850", -400), target=("1200", 600),
         observations=[(-400, "850", "Railway statistics (demonstration figures)"),
                       (-120, "960", "Railway statistics (demonstration figures)")]),
]


def _c(code: str, organisation: str, owner: str | None, ru: str, en: str, start: int, due: int,
       steps: list[Step] | None = None, *, initiative: str | None = None,
       counterpart: str | None = None, tk: str | None = None) -> CommitmentSpec:
    description = {"tk": tk, "ru": ru, "en": en} if tk else {"ru": ru, "en": en}
    return CommitmentSpec(code, organisation, owner, description, "tk" if tk else "ru", start, due,
                          initiative, counterpart, steps or [])


def report(progress: int, note: str, status: CommitmentStatus | None = None, *links: str,
           by: str | None = None) -> Step:
    return Step("report", progress, status, note, links, by)


RECOMMENDATIONS: list[RecommendationSpec] = [
    RecommendationSpec(
        "TRD-2025-001", "trade", "council_session", "Council session 1, Aktau, item 3", "high", True, "ru",
        {"ru": "Электронная очередь и предварительная запись на Темирбаба – Гарабогаз",
         "kk": "Темірбаба – Гарабогаз өткізу пунктінде электронды кезек және алдын ала жазылу",
         "tk": "Temirbaba – Garabogaz geçiş nokadynda elektron nobat we öňünden ýazylyş",
         "en": "Electronic queue and pre-booking at Temirbaba – Garabogaz"},
        {"ru": "Ввести электронную очередь и предварительную запись грузовиков с обеих сторон, "
               "публиковать загрузку пункта пропуска в реальном времени.",
         "en": "Introduce an electronic queue and pre-booking for trucks on both sides and publish the "
               "checkpoint's load in real time."},
        commitments=[
            _c("TRD-2025-001-KZ1", "kz-border-service", "bolat.yesenov@council-demo.org",
               "Установить терминалы электронной очереди на Темирбаба",
               "Install electronic queue kiosks at Temirbaba", -200, -12,
               [report(30, "Терминалы закуплены, ждём монтажа."),
                report(60, "Смонтированы 3 терминала из 5.", None, "https://example.org/temirbaba-act-17")],
               initiative="TEMIRBABA-GARABOGAZ"),
            _c("TRD-2025-001-TM1", "tm-border-service", "serdar.nurmuhammedov@council-demo.org",
               "Установить терминалы очереди на Гарабогаз", "Install queue kiosks at Garabogaz", -200, 45,
               [report(40, "Terminallar gurnalýar.")], initiative="TEMIRBABA-GARABOGAZ",
               counterpart="TRD-2025-001-KZ1",
               tk="Garabogazda elektron nobat terminallaryny gurnamak"),
            _c("TRD-2025-001-KZ2", "kz-customs", "member@council-demo.org",
               "Публиковать загрузку пункта пропуска онлайн", "Publish the checkpoint's load online",
               -150, 10, [report(50, "Страница загрузки в тестовом режиме."),
                          report(100, "Страница работает: данные обновляются каждые 5 минут.",
                                 CS.REPORTED_DONE, "https://example.org/temirbaba-load")],
               initiative="TEMIRBABA-GARABOGAZ"),
        ]),
    RecommendationSpec(
        "TRD-2025-002", "trade", "intergovernmental_commission",
        "Intergovernmental commission, 18th meeting, protocol item 5", "high", True, "ru",
        {"ru": "Электронные накладные и предварительное уведомление о грузах на Узень – Берекет – Горган",
         "kk": "Өзен – Берекет – Горган жолында электронды жүкқұжаттар және жүк туралы алдын ала хабарлама",
         "en": "Electronic waybills and pre-arrival cargo notification on Uzen – Bereket – Gorgan"},
        {"ru": "Перейти на электронные накладные и обмен предварительной информацией о грузах "
               "между таможнями на станциях Болашак и Серхетяка.",
         "en": "Move to electronic waybills and exchange pre-arrival cargo information between the "
               "customs services at Bolashak and Serhetyaka stations."},
        commitments=[
            _c("TRD-2025-002-KZ1", "kz-customs", "askar.zhumabayev@council-demo.org",
               "Подключить станцию Болашак к обмену электронными накладными",
               "Connect Bolashak station to the e-waybill exchange", -300, -40,
               [report(70, "Обмен работает в тестовом режиме."),
                report(100, "Промышленная эксплуатация с 1 числа.", CS.REPORTED_DONE,
                       "https://example.org/bolashak-ewaybill"),
                Step("verify", by="cochair.kz@council-demo.org")],  # its side's co-chair
               initiative="UZEN-BEREKET-GORGAN"),
            _c("TRD-2025-002-TM1", "tm-customs", "ayna.berdiyeva@council-demo.org",
               "Подключить станцию Серхетяка к обмену электронными накладными",
               "Connect Serhetyaka station to the e-waybill exchange", -300, -5,
               [report(35, "Tehniki şertler taýýarlandy."),
                report(35, "Milli elektron ýük haty programmasynyň çykmagyna garaşylýar.", CS.BLOCKED)],
               initiative="UZEN-BEREKET-GORGAN", counterpart="TRD-2025-002-KZ1",
               tk="Serhetýaka stansiýasyny elektron ýük hatlaryny alyş-çalyşa birikdirmek"),
        ]),
    RecommendationSpec(
        "TRD-2025-003", "trade", "study", STUDY, "medium", True, "ru",
        {"ru": "ТЭО совместной индустриально-логистической зоны в приграничье",
         "kk": "Шекара маңындағы бірлескен индустриялық-логистикалық аймақтың ТЭН",
         "tk": "Serhetýaka sebitinde bilelikdäki senagat-logistika zolagynyň tehniki-ykdysady esaslandyrmasy",
         "en": "Feasibility study for a joint industrial and logistics zone in the border area"},
        {"ru": "Оценить переработку, хранение, фасовку и дистрибуцию; предложить единый налоговый и "
               "таможенный режим зоны.",
         "en": "Assess processing, storage, packing and distribution; propose a unified tax and customs "
               "regime for the zone."},
        commitments=[
            _c("TRD-2025-003-KZ1", "mangystau-akimat", "cochair.kz@council-demo.org",
               "Подготовить казахстанскую часть ТЭО", "Prepare the Kazakh part of the feasibility study",
               -120, 25, [report(40, "Собраны данные по площадкам у Жанаозена."),
                          report(70, "Черновик ТЭО направлен партнёрам.")],
               initiative="JOINT-INDUSTRIAL-ZONE"),
            _c("TRD-2025-003-TM1", "balkan-hyakimlik", "cochair.tm@council-demo.org",
               "Подготовить туркменскую часть ТЭО", "Prepare the Turkmen part of the feasibility study",
               -120, 25, [report(20, "Bereket töweregindäki meýdançalar boýunça maglumat ýygnalýar.")],
               initiative="JOINT-INDUSTRIAL-ZONE", counterpart="TRD-2025-003-KZ1",
               tk="Tehniki-ykdysady esaslandyrmanyň türkmen bölegini taýýarlamak"),
        ]),
    RecommendationSpec(
        "TRD-2025-004", "trade", "group_meeting", "Trade working group, meeting of 14 May", "medium", False,
        "ru", {"ru": "Согласовать расписание паромов Курык – Туркменбаши",
               "en": "Coordinate the Kuryk – Turkmenbashi ferry schedules"},
        {"ru": "Транскаспийский маршрут: согласованное расписание и мультимодальные перевозки.",
         "en": "Trans-Caspian route: coordinated schedules and multimodal transport."},
        commitments=[
            _c("TRD-2025-004-KZ1", "kuryk-port", "port.kuryk@council-demo.org",
               "Предложить расписание со стороны порта Курык", "Propose the Kuryk port schedule", -60, -3),
            _c("TRD-2025-004-TM1", "turkmenbashi-port", None,
               "Согласовать расписание в порту Туркменбаши", "Agree the schedule at Turkmenbashi port",
               -60, 60, counterpart="TRD-2025-004-KZ1",
               tk="Türkmenbaşy portunda tertibi ylalaşmak"),
        ]),
    RecommendationSpec(
        "TRD-2026-001", "trade", "council_session", "Council session 3, item 1", "high", True, "ru",
        {"ru": "Довести товарооборот до 1 млрд долларов США к 2030 году",
         "en": "Raise bilateral trade turnover to USD 1 billion by 2030"},
        {"ru": "В 2022 году товарооборот составил 438,2 млн долларов США (+74 % к 2021 году).",
         "en": "Trade turnover was USD 438.2 million in 2022 (+74 % on 2021)."},
        decision=None),
    RecommendationSpec(
        "TRD-2024-002", "trade", "group_meeting", "Trade working group, meeting of 2 October", "low", False,
        "ru", {"ru": "Единая форма фитосанитарного сертификата",
               "en": "A single phytosanitary certificate form"}, {},
        decision=(RS.WITHDRAWN, "Covered by the intergovernmental agreement on veterinary and "
                                "phytosanitary control.")),
    RecommendationSpec(
        "ECO-2025-001", "ecology", "council_session", "Council session 2, item 4", "high", True, "ru",
        {"ru": "Совместный экологический мониторинг и обмен гидрометеоданными",
         "kk": "Бірлескен экологиялық мониторинг және гидрометеорологиялық деректер алмасу",
         "tk": "Bilelikdäki ekologiýa gözegçiligi we gidrometeorologiýa maglumatlaryny alyş-çalyş",
         "en": "Joint environmental monitoring and hydro-meteorological data exchange"},
        {"ru": "Создать общую сеть постов и ежемесячно обмениваться данными о воде, почве и воздухе.",
         "en": "Set up a shared network of stations and exchange water, soil and air data monthly."},
        commitments=[
            _c("ECO-2025-001-KZ1", "karakiyan-akimat", "dinara.kaliyeva@council-demo.org",
               "Оборудовать два поста мониторинга в Каракиянском районе",
               "Equip two monitoring stations in Karakiyan district", -90, 90,
               [report(50, "Первый пост работает.")], initiative="JOINT-ECO-MONITORING"),
            _c("ECO-2025-001-TM1", "turkmenbashi-hyakimlik", "maral.gurbanova@council-demo.org",
               "Передавать гидрометеоданные станции Туркменбаши", "Share Turkmenbashi station's data",
               -90, -20, [report(30, "Maglumat alyş-çalyş formaty ylalaşyldy.")],
               initiative="JOINT-ECO-MONITORING", counterpart="ECO-2025-001-KZ1",
               tk="Türkmenbaşy stansiýasynyň gidrometeorologiýa maglumatlaryny bermek"),
        ]),
    RecommendationSpec(
        "ECO-2025-002", "ecology", "other", "UNDP country programme", "medium", True, "en",
        {"en": "Land restoration and fresh-water supply pilot with UNDP",
         "ru": "Пилот по восстановлению земель и водоснабжению с ПРООН"},
        {"en": "Restore degraded pasture and bring fresh water to two border villages."}, decision=None),
    RecommendationSpec(
        "MIG-2025-001", "migration", "study", STUDY, "medium", True, "ru",
        {"ru": "Легальная сезонная трудовая миграция: общая информация о вакансиях",
         "kk": "Заңды маусымдық еңбек көші-қоны: бос жұмыс орындары туралы ортақ ақпарат",
         "en": "Legal seasonal labour migration: shared information on vacancies"},
        {"ru": "Обмениваться сведениями о сезонных вакансиях для родственных общин по обе стороны границы.",
         "en": "Share seasonal vacancies for kin communities on both sides of the border."},
        commitments=[
            _c("MIG-2025-001-KZ1", "kz-border-service", "bolat.yesenov@council-demo.org",
               "Порядок упрощённого пересечения для сезонных работников",
               "A simplified crossing procedure for seasonal workers", -30, 120),
            _c("MIG-2025-001-TM1", "tm-border-service", "serdar.nurmuhammedov@council-demo.org",
               "Перечень документов для сезонных работников", "A list of documents for seasonal workers",
               -30, 120, [report(25, "Resminamalaryň sanawynyň taslamasy taýýar.")],
               counterpart="MIG-2025-001-KZ1", tk="Möwsümleýin işçiler üçin resminamalaryň sanawy"),
        ]),
    RecommendationSpec(
        "MIG-2024-001", "migration", "council_session", "Council session 1, item 6", "medium", False, "ru",
        {"ru": "Совместные учения пограничных служб", "en": "Joint exercises of the border services"}, {},
        commitments=[
            _c("MIG-2024-001-KZ1", "kz-border-service", "bolat.yesenov@council-demo.org",
               "Провести учения на участке Темирбаба", "Hold the exercise at the Temirbaba section",
               -400, -300, [report(100, "Учения проведены.", CS.REPORTED_DONE),
                            # the owner co-chairs the group: the secretariat verifies his report
                            Step("verify", by="secretary@council-demo.org")]),
        ],
        closing=(RS.IMPLEMENTED, "Exercises held; they continue yearly under the border services' plan.")),
    RecommendationSpec(
        "DIG-2025-001", "digital", "council_session", "Council session 2, item 2", "high", True, "ru",
        {"ru": "«Умные границы»: пилот биометрического контроля на Темирбаба – Гарабогаз",
         "tk": "«Akylly serhetler»: Temirbaba – Garabogazda biometrik gözegçilik synagy",
         "en": "Smart borders: a biometric control pilot at Temirbaba – Garabogaz"},
        {"ru": "Испытать биометрический контроль на одной полосе в каждую сторону.",
         "en": "Try biometric control on one lane in each direction."},
        commitments=[
            _c("DIG-2025-001-KZ1", "kz-customs", "askar.zhumabayev@council-demo.org",
               "Оборудовать полосу биометрического контроля", "Equip a biometric control lane", -60, 150,
               [report(45, "Оборудование поставлено.")], initiative="SMART-BORDERS"),
            _c("DIG-2025-001-TM1", "tm-customs", "ayna.berdiyeva@council-demo.org",
               "Оборудовать полосу на Гарабогаз", "Equip a lane at Garabogaz", -60, 150,
               initiative="SMART-BORDERS", counterpart="DIG-2025-001-KZ1",
               tk="Garabogazda biometrik gözegçilik zolagyny enjamlaşdyrmak"),
        ]),
    RecommendationSpec(
        "DIG-2024-001", "digital", "study", STUDY, "high", True, "ru",
        {"ru": "Цифровая платформа управления приграничной территорией",
         "kk": "Шекара маңы аумағын басқарудың цифрлық платформасы",
         "tk": "Serhet sebitini dolandyrmagyň sanly platformasy",
         "en": "A digital platform for managing the border area"}, {},
        commitments=[
            _c("DIG-2024-001-KZ1", "mangystau-akimat", "secretary@council-demo.org",
               "Запустить платформу совета", "Launch the council's platform", -365, -30,
               [report(100, "Платформа запущена.", CS.REPORTED_DONE, "https://example.org/council"),
                Step("verify", by="askar.zhumabayev@council-demo.org")]),
        ],
        closing=(RS.IMPLEMENTED, "The council's platform is in service.")),
    RecommendationSpec(
        "DIG-2025-002", "digital", "group_meeting", "Digitalization working group, meeting of 3 March",
        "low", False, "ru", {"ru": "Блокчейн-сертификация грузов", "en": "Blockchain certification of cargo"},
        {}, decision=(RS.REJECTED, "Premature: e-waybills must work on both sides first (TRD-2025-002).")),
]


def load() -> None:
    """Top up the demo council's tracker; records whose code exists are left as they are."""
    council = db.session.scalar(select(Council).where(Council.slug == "mangystau-balkan"))
    if council is None:
        return
    people = {u.email: u for u in db.session.scalars(select(User).where(User.council_id == council.id))}
    groups = {g.slug: g for g in db.session.scalars(select(WorkingGroup).where(
        WorkingGroup.council_id == council.id))}
    organisations = {o.code: o for o in db.session.scalars(select(Organisation).where(
        Organisation.council_id == council.id))}
    secretary = people[SECRETARY]
    today = council_today()
    initiatives = {spec["code"]: _initiative(secretary, council, groups, spec, today) for spec in INITIATIVES}
    for spec in INDICATORS:
        _indicator(secretary, council, groups, initiatives, spec, today)
    for recommendation in RECOMMENDATIONS:
        _recommendation(recommendation, council, people, groups, organisations, initiatives, today)
    db.session.commit()


def _day(value: int | date, today: date) -> date:
    return value if isinstance(value, date) else today + timedelta(days=value)


def _initiative(actor: User, council: Council, groups: dict[str, WorkingGroup], spec: dict[str, Any],
                today: date) -> Initiative:
    existing = db.session.scalar(select(Initiative).where(Initiative.council_id == council.id,
                                                          Initiative.code == spec["code"]))
    if existing is not None:
        return existing
    initiative = tracker_initiatives.create_initiative(
        actor, council, code=spec["code"], name=spec["name"], description=spec["description"],
        original_language=spec["original_language"], group=groups[spec["group"]])
    for title, due, done in spec["milestones"]:
        tracker_initiatives.add_milestone(actor, initiative, title=title, original_language="ru",
                               due_date=_day(due, today), completed_on=_day(done, today) if done else None)
    return initiative


def _indicator(actor: User, council: Council, groups: dict[str, WorkingGroup],
               initiatives: dict[str, Initiative], spec: dict[str, Any], today: date) -> None:
    if db.session.scalar(select(Indicator.id).where(Indicator.council_id == council.id,
                                                    Indicator.code == spec["code"])):
        return
    indicator = tracker_initiatives.create_indicator(
        actor, council, code=spec["code"], name=spec["name"], description=spec["description"],
        original_language=spec["original_language"], unit=spec["unit"],
        baseline_value=Decimal(spec["baseline"][0]), baseline_date=_day(spec["baseline"][1], today),
        target_value=Decimal(spec["target"][0]), target_date=_day(spec["target"][1], today),
        group=groups[spec["group"]],
        initiative=initiatives[spec["initiative"]] if spec["initiative"] else None)
    for observed_on, value, source in spec["observations"]:
        if not db.session.scalar(select(Observation.id).where(
                Observation.indicator_id == indicator.id,
                Observation.observed_on == _day(observed_on, today))):
            tracker_initiatives.record_observation(actor, indicator, observed_on=_day(observed_on, today),
                                        value=value, source=source)


def _recommendation(spec: RecommendationSpec, council: Council, people: dict[str, User],
                    groups: dict[str, WorkingGroup], organisations: dict[str, Organisation],
                    initiatives: dict[str, Initiative], today: date) -> None:
    if db.session.scalar(select(Recommendation.id).where(Recommendation.council_id == council.id,
                                                         Recommendation.code == spec.code)):
        return
    secretary = people[SECRETARY]
    recommendation = services.create_recommendation(
        secretary, groups[spec.group], code=spec.code, title=spec.title, text=spec.text,
        original_language=spec.original_language, source=spec.source, source_reference=spec.reference,
        priority=spec.priority, is_public=spec.public)
    if spec.decision is not None:
        services.change_recommendation_status(secretary, recommendation, *spec.decision)
    made: dict[str, Commitment] = {}
    for item in spec.commitments:
        owner = people.get(item.owner) if item.owner else None
        commitment = services.create_commitment(
            secretary, recommendation, code=item.code, organisation=organisations[item.organisation],
            owner=owner, description=item.description, original_language=item.original_language,
            start_date=_day(item.start, today), due_date=_day(item.due, today),
            counterpart=made.get(item.counterpart) if item.counterpart else None,
            initiative=initiatives.get(item.initiative) if item.initiative else None)
        made[item.code] = commitment
        for step in item.steps:
            actor = people[step.by] if step.by else (owner or secretary)
            if step.kind == "report":
                services.report_progress(actor, commitment, progress=step.progress, status=step.status,
                                         note=step.note, links=step.links)
            elif step.kind == "verify":
                services.verify_commitment(actor, commitment)
    if spec.closing is not None:
        services.change_recommendation_status(secretary, recommendation, *spec.closing)
