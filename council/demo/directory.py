"""The council, its two sides, organisations, people, working groups (DOMAIN.md)."""

from __future__ import annotations

from council.auth.services import hash_password
from council.auth.two_factor import REQUIRED_FOR
from council.demo.records import upsert
from council.directory.models import (
    Council,
    Country,
    GroupRole,
    Membership,
    Organisation,
    OrganisationKind,
    PlatformRole,
    Region,
    RegionKind,
    User,
    WorkingGroup,
)
from council.extensions import db
from council.timeutil import utcnow

DEMO_PASSWORD = "council-demo"  # noqa: S105  the demo accounts' published password (make run only)
# The demo secretaries and administrator sign in with two-factor sign-in like real ones, all with this
# published secret: add it to an authenticator app, or print the current code with
# `flask council demo-code`. Never a secret of a real account.
DEMO_TOTP_SECRET = "COUNCILDEMOMANGYSTAUBALKANTOTPKE"  # noqa: S105  published demo key (make run only)
COUNCIL_SLUG = "mangystau-balkan"

COUNTRIES = {
    "KZ": ({"ru": "Казахстан", "kk": "Қазақстан", "tk": "Gazagystan", "en": "Kazakhstan"},
           "Asia/Aqtau"),
    "TM": ({"ru": "Туркменистан", "kk": "Түрікменстан", "tk": "Türkmenistan",
            "en": "Turkmenistan"}, "Asia/Ashgabat"),
}

# code: (country, kind, parent code, names)
REGIONS = {
    "mangystau": ("KZ", RegionKind.OBLAST, None, {
        "ru": "Мангистауская область", "kk": "Маңғыстау облысы",
        "tk": "Mangystau oblasty", "en": "Mangystau oblast"}),
    "aktau": ("KZ", RegionKind.CITY, "mangystau", {
        "ru": "Актау", "kk": "Ақтау", "tk": "Aktau", "en": "Aktau"}),
    "zhanaozen": ("KZ", RegionKind.CITY, "mangystau", {
        "ru": "Жанаозен", "kk": "Жаңаөзен", "tk": "Žaňaözen", "en": "Zhanaozen"}),
    "karakiyan": ("KZ", RegionKind.DISTRICT, "mangystau", {
        "ru": "Каракиянский район", "kk": "Қарақия ауданы", "tk": "Garagiýa etraby",
        "en": "Karakiyan district"}),
    "balkan": ("TM", RegionKind.VELAYAT, None, {
        "ru": "Балканский велаят", "kk": "Балқан уәлаяты", "tk": "Balkan welaýaty",
        "en": "Balkan velayat"}),
    "turkmenbashi": ("TM", RegionKind.CITY, "balkan", {
        "ru": "Туркменбаши", "kk": "Түрікменбашы", "tk": "Türkmenbaşy", "en": "Turkmenbashi"}),
    "balkanabat": ("TM", RegionKind.CITY, "balkan", {
        "ru": "Балканабат", "kk": "Балқанабат", "tk": "Balkanabat", "en": "Balkanabat"}),
    "esenguly": ("TM", RegionKind.ETRAP, "balkan", {
        "ru": "Эсенгулыйский этрап", "kk": "Есенгулы этрабы", "tk": "Esenguly etraby",
        "en": "Esenguly etrap"}),
}

K = OrganisationKind
# code: (kind, country, region code, original language, names)
ORGANISATIONS = {
    "mangystau-akimat": (K.AKIMAT, "KZ", "mangystau", "kk", {
        "ru": "Акимат Мангистауской области", "kk": "Маңғыстау облысының әкімдігі",
        "tk": "Mangystau oblastynyň äkimligi", "en": "Akimat of Mangystau oblast"}),
    "aktau-akimat": (K.AKIMAT, "KZ", "aktau", "kk", {
        "ru": "Акимат города Актау", "kk": "Ақтау қаласының әкімдігі",
        "tk": "Aktau şäheriniň äkimligi", "en": "Akimat of Aktau"}),
    "zhanaozen-akimat": (K.AKIMAT, "KZ", "zhanaozen", "kk", {
        "ru": "Акимат города Жанаозен", "kk": "Жаңаөзен қаласының әкімдігі",
        "en": "Akimat of Zhanaozen"}),
    "karakiyan-akimat": (K.AKIMAT, "KZ", "karakiyan", "kk", {
        "ru": "Акимат Каракиянского района", "kk": "Қарақия ауданының әкімдігі",
        "en": "Akimat of Karakiyan district"}),
    "balkan-hyakimlik": (K.HYAKIMLIK, "TM", "balkan", "tk", {
        "ru": "Хякимлик Балканского велаята", "kk": "Балқан уәлаятының хәкімдігі",
        "tk": "Balkan welaýatynyň häkimligi", "en": "Hyakimlik of Balkan velayat"}),
    "turkmenbashi-hyakimlik": (K.HYAKIMLIK, "TM", "turkmenbashi", "tk", {
        "ru": "Хякимлик города Туркменбаши", "tk": "Türkmenbaşy şäheriniň häkimligi",
        "en": "Hyakimlik of Turkmenbashi"}),
    "balkanabat-hyakimlik": (K.HYAKIMLIK, "TM", "balkanabat", "tk", {
        "ru": "Хякимлик города Балканабат", "tk": "Balkanabat şäheriniň häkimligi",
        "en": "Hyakimlik of Balkanabat"}),
    "esenguly-hyakimlik": (K.HYAKIMLIK, "TM", "esenguly", "tk", {
        "ru": "Хякимлик Эсенгулыйского этрапа", "tk": "Esenguly etrabynyň häkimligi",
        "en": "Hyakimlik of Esenguly etrap"}),
    "kz-trade-ministry": (K.MINISTRY, "KZ", None, "ru", {
        "ru": "Министерство торговли и интеграции Республики Казахстан",
        "kk": "Қазақстан Республикасының Сауда және интеграция министрлігі",
        "en": "Ministry of Trade and Integration of Kazakhstan"}),
    "tm-trade-ministry": (K.MINISTRY, "TM", None, "tk", {
        "ru": "Министерство торговли и внешнеэкономических связей Туркменистана",
        "tk": "Türkmenistanyň Söwda we daşary ykdysady aragatnaşyklar ministrligi",
        "en": "Ministry of Trade and Foreign Economic Relations of Turkmenistan"}),
    "kz-border-service": (K.BORDER_SERVICE, "KZ", "mangystau", "ru", {
        "ru": "Пограничное управление по Мангистауской области",
        "kk": "Маңғыстау облысы бойынша шекара басқармасы",
        "en": "Border Department for Mangystau oblast"}),
    "tm-border-service": (K.BORDER_SERVICE, "TM", "balkan", "tk", {
        "ru": "Государственная пограничная служба Туркменистана",
        "tk": "Türkmenistanyň Döwlet serhet gullugy",
        "en": "State Border Service of Turkmenistan"}),
    "kz-customs": (K.CUSTOMS, "KZ", "mangystau", "ru", {
        "ru": "Департамент государственных доходов по Мангистауской области",
        "kk": "Маңғыстау облысы бойынша мемлекеттік кірістер департаменті",
        "en": "State Revenue Department for Mangystau oblast (customs)"}),
    "tm-customs": (K.CUSTOMS, "TM", "balkan", "tk", {
        "ru": "Государственная таможенная служба Туркменистана",
        "tk": "Türkmenistanyň Döwlet gümrük gullugy",
        "en": "State Customs Service of Turkmenistan"}),
    "mangystau-chamber": (K.CHAMBER_OF_COMMERCE, "KZ", "mangystau", "ru", {
        "ru": "Палата предпринимателей Мангистауской области «Атамекен»",
        "kk": "Маңғыстау облысының «Атамекен» кәсіпкерлер палатасы",
        "en": "Atameken Chamber of Entrepreneurs of Mangystau oblast"}),
    "tm-chamber": (K.CHAMBER_OF_COMMERCE, "TM", None, "tk", {
        "ru": "Торгово-промышленная палата Туркменистана",
        "tk": "Türkmenistanyň Söwda-senagat edarasy",
        "en": "Chamber of Commerce and Industry of Turkmenistan"}),
    "yessenov-university": (K.UNIVERSITY, "KZ", "aktau", "kk", {
        "ru": "Каспийский университет технологий и инжиниринга имени Ш. Есенова",
        "kk": "Ш. Есенов атындағы Каспий технологиялар және инжиниринг университеті",
        "en": "Yessenov Caspian University of Technology and Engineering"}),
    "tm-oil-gas-university": (K.UNIVERSITY, "TM", None, "tk", {
        "ru": "Международный университет нефти и газа имени Ягшыгелди Какаева",
        "tk": "Ýagşygeldi Kakaýew adyndaky Halkara nebit we gaz uniwersiteti",
        "en": "Yagshygeldi Kakayev International University of Oil and Gas"}),
    "kuryk-port": (K.BUSINESS, "KZ", "karakiyan", "ru", {
        "ru": "Порт Курык", "kk": "Құрық порты", "en": "Port of Kuryk"}),
    "turkmenbashi-port": (K.BUSINESS, "TM", "turkmenbashi", "tk", {
        "ru": "Туркменбашийский международный морской порт",
        "tk": "Türkmenbaşy halkara deňiz porty",
        "en": "Turkmenbashi International Seaport"}),
    "undp": (K.INTERNATIONAL, "KZ", None, "en", {
        "ru": "Программа развития ООН", "kk": "БҰҰ Даму бағдарламасы",
        "tk": "BMG-niň Ösüş maksatnamasy", "en": "United Nations Development Programme"}),
}

GROUPS = {
    "trade": ("TRD", {"ru": "Торговля и логистика", "kk": "Сауда және логистика",
                      "tk": "Söwda we logistika", "en": "Trade and logistics"},
              {"ru": "Товарооборот, пункты пропуска, железная дорога Узень – Берекет – Горган, "
                     "совместные индустриально-логистические зоны.",
               "en": "Trade turnover, checkpoints, the Uzen–Bereket–Gorgan railway, "
                     "joint industrial and logistics zones."}),
    "ecology": ("ECO", {"ru": "Экология и водные ресурсы", "kk": "Экология және су ресурстары",
                        "tk": "Ekologiýa we suw serişdeleri", "en": "Ecology and water"},
                {"ru": "Совместный экологический мониторинг, обмен гидрометеоданными, "
                       "опустынивание и деградация земель.",
                 "en": "Joint environmental monitoring, hydro-meteorological data exchange, "
                       "desertification and land degradation."}),
    "migration": ("MIG", {"ru": "Миграция и занятость", "kk": "Көші-қон және жұмыспен қамту",
                          "tk": "Migrasiýa we iş bilen üpjünçilik", "en": "Migration and employment"},
                  {"ru": "Легальная сезонная трудовая миграция, обмен информацией "
                         "пограничных служб.",
                   "en": "Legal seasonal labour migration, information exchange "
                         "between border services."}),
    "digital": ("DIG", {"ru": "Цифровизация", "kk": "Цифрландыру", "tk": "Sanlylaşdyryş",
                        "en": "Digitalization"},
                {"ru": "Электронные очереди, предварительное уведомление о грузах, "
                       "электронные накладные, «умные границы».",
                 "en": "Electronic queues, pre-arrival cargo notification, electronic waybills, "
                       "smart borders."}),
}

# e-mail: (name, organisation, role, language, position)
PEOPLE = {
    "admin@council-demo.org": ("Platform Administrator", None, PlatformRole.ADMIN, "en", None),
    "secretary@council-demo.org": ("Алия Темирбекова", "mangystau-akimat", PlatformRole.SECRETARY,
                                   "ru", "Секретариат совета, казахстанская сторона"),
    "secretary.tm@council-demo.org": ("Ogulgerek Hojaýewa", "balkan-hyakimlik",
                                      PlatformRole.SECRETARY, "tk",
                                      "Geňeşiň sekretariaty, türkmen tarapy"),
    "cochair.kz@council-demo.org": ("Ерлан Сарсенов", "mangystau-akimat", PlatformRole.MEMBER,
                                    "kk", "Кәсіпкерлік және сауда басқармасының басшысы"),
    "cochair.tm@council-demo.org": ("Merdan Annaýew", "balkan-hyakimlik", PlatformRole.MEMBER,
                                    "tk", "Häkimiň orunbasary"),
    "dinara.kaliyeva@council-demo.org": ("Динара Калиева", "karakiyan-akimat",
                                         PlatformRole.MEMBER, "kk", None),
    "maral.gurbanova@council-demo.org": ("Maral Gurbanowa", "turkmenbashi-hyakimlik",
                                         PlatformRole.MEMBER, "tk", None),
    "bolat.yesenov@council-demo.org": ("Болат Есенов", "kz-border-service", PlatformRole.MEMBER,
                                       "ru", None),
    "serdar.nurmuhammedov@council-demo.org": ("Serdar Nurmuhammedow", "tm-border-service",
                                              PlatformRole.MEMBER, "tk", None),
    "askar.zhumabayev@council-demo.org": ("Аскар Жумабаев", "kz-customs", PlatformRole.MEMBER,
                                          "ru", None),
    "ayna.berdiyeva@council-demo.org": ("Aýna Berdiýewa", "tm-customs", PlatformRole.MEMBER,
                                        "tk", None),
    "member@council-demo.org": ("Нурлан Абенов", "kz-customs", PlatformRole.MEMBER, "ru",
                                "Главный специалист таможенного поста Темирбаба"),
    "member.tm@council-demo.org": ("Batyr Orazow", "tm-customs", PlatformRole.MEMBER, "tk", None),
    "port.kuryk@council-demo.org": ("Гульнар Утегенова", "kuryk-port", PlatformRole.MEMBER, "ru",
                                    None),
    "observer@council-demo.org": ("Elena Petrova", "undp", PlatformRole.OBSERVER, "en",
                                  "Programme analyst"),
}

# group: [(e-mail, role)]
MEMBERSHIPS = {
    "trade": [("cochair.kz@council-demo.org", GroupRole.CO_CHAIR),
              ("cochair.tm@council-demo.org", GroupRole.CO_CHAIR),
              ("member@council-demo.org", GroupRole.MEMBER),
              ("member.tm@council-demo.org", GroupRole.MEMBER),
              ("port.kuryk@council-demo.org", GroupRole.MEMBER),
              ("observer@council-demo.org", GroupRole.OBSERVER)],
    "ecology": [("dinara.kaliyeva@council-demo.org", GroupRole.CO_CHAIR),
                ("maral.gurbanova@council-demo.org", GroupRole.CO_CHAIR),
                ("observer@council-demo.org", GroupRole.OBSERVER)],
    "migration": [("bolat.yesenov@council-demo.org", GroupRole.CO_CHAIR),
                  ("serdar.nurmuhammedov@council-demo.org", GroupRole.CO_CHAIR),
                  ("member@council-demo.org", GroupRole.MEMBER)],
    "digital": [("askar.zhumabayev@council-demo.org", GroupRole.CO_CHAIR),
                ("ayna.berdiyeva@council-demo.org", GroupRole.CO_CHAIR),
                ("member@council-demo.org", GroupRole.MEMBER),
                ("member.tm@council-demo.org", GroupRole.MEMBER)],
}

DEMO_ACCOUNTS = ["secretary@council-demo.org", "cochair.kz@council-demo.org",
                 "cochair.tm@council-demo.org", "member@council-demo.org",
                 "observer@council-demo.org", "admin@council-demo.org"]


def load() -> list[tuple[str, str]]:
    council = upsert(Council, {"slug": COUNCIL_SLUG}, original_language="ru", name={
        "ru": "Совет трансграничного сотрудничества Мангистау – Балкан",
        "kk": "Маңғыстау – Балқан трансшекаралық ынтымақтастық кеңесі",
        "tk": "Mangystau – Balkan serhetara hyzmatdaşlyk geňeşi",
        "en": "Mangystau – Balkan Cross-Border Cooperation Council"}, description={
        "ru": "Консультативный орган акиматов, хякимликов, министерств, деловых кругов и "
              "научных организаций. Соглашение о сотрудничестве подписано 3 декабря 2014 года.",
        "en": "A consultative body of akimats, hyakimliks, ministries, business and research. "
              "The cooperation agreement was signed on 3 December 2014."})
    for code, (names, zone) in COUNTRIES.items():
        upsert(Country, {"code": code}, name=names, time_zone=zone)
    regions: dict[str, Region] = {}
    for code, (country, kind, parent, names) in REGIONS.items():
        regions[code] = upsert(Region, {"code": code}, country_code=country, kind=kind,
                               parent_id=regions[parent].id if parent else None, name=names)
    organisations: dict[str, Organisation] = {}
    for code, (organisation_kind, country, region, original, names) in ORGANISATIONS.items():
        organisations[code] = upsert(
            Organisation, {"council_id": council.id, "code": code}, kind=organisation_kind,
            country_code=country, region_id=regions[region].id if region else None,
            original_language=original, name=names)
    password_hash = hash_password(DEMO_PASSWORD)
    people: dict[str, User] = {}
    for email, (name, organisation, role, language, position) in PEOPLE.items():
        time_zone = "Asia/Ashgabat" if language == "tk" else "Asia/Aqtau"
        people[email] = upsert(
            User, {"email": email}, name=name, council_id=council.id, role=role,
            organisation_id=organisations[organisation].id if organisation else None,
            language=language, time_zone=time_zone, position=position,
            password_hash=password_hash)
        if role in REQUIRED_FOR and not people[email].two_factor_enabled:
            people[email].totp_secret = DEMO_TOTP_SECRET
            people[email].totp_enabled_at = utcnow()
    for slug, (code, names, description) in GROUPS.items():
        group = upsert(WorkingGroup, {"council_id": council.id, "slug": slug}, code=code,
                       name=names, description=description, original_language="ru")
        for email, group_role in MEMBERSHIPS[slug]:
            upsert(Membership, {"group_id": group.id, "user_id": people[email].id},
                   role=group_role)
    db.session.commit()
    return [(email, _describe(email)) for email in DEMO_ACCOUNTS]


def _describe(email: str) -> str:
    """What a demo account is for, e.g. "member, co-chair of trade (KZ)"."""
    _name, organisation, role, _language, _position = PEOPLE[email]
    chairs = [slug for slug, members in MEMBERSHIPS.items()
              if (email, GroupRole.CO_CHAIR) in members]
    country = ORGANISATIONS[organisation][1] if organisation else ""
    if chairs:
        return f"co-chair of {', '.join(chairs)} ({country})"
    return f"{role.value} ({country})" if country else role.value
