"""What the demo team's customers write about, and what the team answers: the demo's texts.

A bank card's support desk, mostly in Russian with some English, as the two teams we build for.
Each topic is a tag, a ticket type, a few subjects and first messages, and the operator's usual
answer; the channels are one of each kind, with their owners and demo-only settings.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topic:
    tag: str
    type: str
    weight: float
    subjects: tuple[str, ...]
    messages: tuple[str, ...]
    answer: str
    follow_up: str
    department: str | None = None
    """Who the operator asks when the answer is not theirs to give (a pause waiting for them)."""


TOPICS = (
    Topic(
        "card", "problem", 18,
        ("Карта заблокирована", "Не проходит оплата картой", "Card blocked"),
        ("Здравствуйте, карта заблокирована, не могу оплатить покупку.",
         "Добрый день! Карта не работает с утра, пишет «операция отклонена».",
         "Hello, my card was blocked while I am abroad. Please help."),
        "Вижу блокировку по подозрительной операции. Снял её, попробуйте оплатить ещё раз.",
        "Всё равно не проходит, терминал пишет то же самое.",
        "Card department",
    ),
    Topic(
        "payment", "question", 16,
        ("Платёж не дошёл", "Где мой перевод?", "Payment pending"),
        ("Перевёл деньги вчера, получатель их так и не увидел.",
         "Оплатил счёт за квартиру, а статус всё ещё «в обработке».",
         "I sent a payment two days ago and it is still pending."),
        "Платёж прошёл с нашей стороны, банк получателя зачислит его до конца дня.",
        "Получатель говорит, что денег всё ещё нет.",
        "Payments",
    ),
    Topic(
        "app", "problem", 14,
        ("Приложение не открывается", "Не приходит код из СМС", "App crashes on start"),
        ("После обновления приложение сразу закрывается.",
         "Код подтверждения не приходит уже полчаса.",
         "The app crashes every time I open it on Android."),
        "Мы выпустили исправление: обновите приложение из магазина и перезапустите телефон.",
        "Обновил, но ничего не изменилось.",
    ),
    Topic(
        "limits", "question", 10,
        ("Лимит на снятие наличных", "Как увеличить лимит", "Transfer limit"),
        ("Какой у меня лимит на снятие наличных в месяц?",
         "Хочу поднять лимит на переводы, как это сделать?",
         "What is my daily transfer limit?"),
        "Лимит можно поменять в приложении: «Карта» → «Лимиты». Сейчас у вас 150 000 ₽ в месяц.",
        "А можно больше, чем 300 000?",
    ),
    Topic(
        "fraud", "incident", 6,
        ("Списание, которое я не делал", "Мошенники звонили от имени банка", "Unknown charge"),
        ("С карты списали 12 000 ₽, я эту покупку не совершал!",
         "Мне звонили из «службы безопасности» и просили код из СМС.",
         "There is a charge on my card I did not make."),
        "Карту заблокировали, операцию оспорили. Деньги вернутся в течение 10 рабочих дней.",
        "Когда именно вернутся деньги?",
        "Fraud team",
    ),
    Topic(
        "cashback", "question", 9,
        ("Не начислили кешбэк", "Кешбэк за прошлый месяц", "Cashback missing"),
        ("В этом месяце кешбэк пришёл меньше, чем должен был.",
         "Почему не начислили кешбэк за покупку в аптеке?",
         "I did not get my cashback for last month."),
        "Кешбэк начисляется до 10-го числа следующего месяца. За аптеки — 5 % в выбранной категории.",
        "Категорию я выбирал, а кешбэка нет.",
        "Loyalty",
    ),
    Topic(
        "delivery", "question", 8,
        ("Когда привезут карту?", "Курьер не приехал", "Card delivery"),
        ("Заказал карту неделю назад, курьер так и не позвонил.",
         "Можно перенести доставку карты на субботу?",
         "When will my new card be delivered?"),
        "Карта у курьерской службы, доставка завтра с 10 до 18. Курьер позвонит за час.",
        "Завтра меня не будет дома, можно в другой день?",
        "Delivery",
    ),
    Topic(
        "account", "question", 7,
        ("Справка о счёте", "Закрыть счёт", "Account statement"),
        ("Нужна справка об остатке на счёте для визы.",
         "Хочу закрыть накопительный счёт, как это сделать?",
         "Please send me a statement for the last three months."),
        "Справка готова: она в приложении, раздел «Документы». Подпись банка электронная.",
        "А бумажную справку можно получить?",
    ),
    Topic(
        "tariff", "question", 5,
        ("Плата за обслуживание", "Почему списали комиссию", "Monthly fee"),
        ("Списали 199 ₽ за обслуживание, хотя обещали бесплатно.",
         "За что комиссия за перевод по номеру телефона?",
         "Why was I charged a monthly fee?"),
        "Обслуживание бесплатно при остатке от 30 000 ₽; в прошлом месяце он был меньше. Вернули плату.",
        "Спасибо, а в следующем месяце снова спишут?",
    ),
    Topic(
        "outage", "incident", 3,
        ("Не работает оплата по QR", "Сбой в приложении", "Service down"),
        ("Не могу оплатить по QR-коду, приложение выдаёт ошибку.",
         "Не работает вход в приложение, пишет «сервис недоступен».",
         "Nothing works in the app right now."),
        "У нас был сбой, сейчас всё восстановлено. Приносим извинения.",
        "Теперь работает, но платёж прошёл дважды.",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoChannel:
    name: str
    kind: str
    owner: str
    weight: float
    settings: dict[str, str]


NOWHERE = "http://127.0.0.1:9"
"""Where the demo channels' replies go: nowhere (the discard port), so a reply typed in the demo
fails to deliver at once and never reaches a real provider with a made-up token."""
CHANNELS = (
    DemoChannel("support-telegram", "telegram", "anna", 32,
                {"secret_token": "demo-only-telegram-secret", "bot_token": "demo-only", "api_base": NOWHERE}),
    DemoChannel("support-whatsapp", "whatsapp", "vera", 20,
                {"verify_token": "demo-only-verify", "app_secret": "demo-only-app-secret",
                 "access_token": "demo-only", "phone_number_id": "100000000", "api_base": NOWHERE}),
    DemoChannel("vk-community", "vk", "boris", 12,
                {"confirmation": "demo-only-confirmation", "secret": "demo-only-vk-secret",
                 "access_token": "demo-only", "group_id": "100000", "api_base": NOWHERE}),
    DemoChannel("support-email", "email", "gleb", 14,
                {"address": "support@bank.example", "smtp_host": "127.0.0.1", "smtp_port": "9"}),
    DemoChannel("site-chat", "widget", "dina", 22, {"public_key": "pk_demo_site_chat"}),
)  # fmt: skip
REVIEWS = DemoChannel("reviews", "mentions", "masha", 0, {"secret": "demo-only-reviews-secret"})
"""Mentions from review sites and the press, moderated by masha."""
QUEUED_REPLY_KINDS = ("telegram", "whatsapp", "vk", "email")
"""Kinds whose replies the outbox sends: each reply of the history is recorded as delivered."""

FIRST_NAMES = (
    "Иван", "Мария", "Алексей", "Ольга", "Дмитрий", "Екатерина", "Сергей", "Анастасия", "Павел",
    "Татьяна", "Николай", "Юлия", "Андрей", "Светлана", "Михаил", "Елена", "Артём", "Ксения",
    "Роман", "Дарья", "Тимур", "Алина", "John", "Emma", "David", "Sophie",
)  # fmt: skip
LAST_NAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
)  # fmt: skip
LATIN = {"John": "Smith", "Emma": "Brown", "David": "Miller", "Sophie": "Wilson"}

CLOSINGS = (
    "Спасибо, всё решилось!",
    "Отлично, благодарю.",
    "Понял, спасибо.",
    "Thanks, that worked.",
)
RATING_COMMENTS = {
    "like": ("Быстро и вежливо", "Спасибо за помощь!", "Great support"),
    "dislike": ("Долго ждал ответа", "Проблему так и не решили", "Too slow"),
}
NOTES = (
    "Клиент постоянный, обслуживается в премиум-офисе.",
    "Похожее обращение было на прошлой неделе.",
    "Проверил по логам: ошибка на стороне процессинга.",
)
REASSIGN_COMMENTS = ("Передаю: нужен доступ к процессингу", "Уходит смена, передаю", "Нужна вторая линия")
SPAM = ("Выгодные кредиты без справок! Переходите по ссылке", "Продам базу клиентов, недорого")
THANKS = ("Спасибо, вопрос снят", "Уже разобрался сам, спасибо")
