"""A made-up but realistic store history: data for `flexpolicy diff` and benchmarks.

Why: a policy change should be judged on what it would have done to last year's
customers before it ships, and a decision engine should be measured on the
requests a store really sees. A new store, a demo or a CI benchmark has no such
records, so `simulate` makes them up, with the mix a mid-sized retailer sees,
deterministically (the same seed gives the same history, run after run), lazily
(a million situations in about 11 MB, all of it caches) and fast (about 30,000
situations/s on one core).

Every situation is consistent, so the shipped `rules/` decide each one without an
`InputError`: the transaction belongs to the customer, holds the requested sku and
predates the request, and the actor's role is on every shipped ladder.

The mix, per situation unless noted (weights, not exact shares):

- request kind: return 50%, exchange 15%, refund 10%, price_adjustment 10%,
  fee_waiver 10%, goodwill 5%.
- customers: a pool of max(50, n // 4) repeat customers with stable ids
  (`CUST-000042`), picked with a skew (index = pool * u**1.8: the busiest 1% of the
  pool makes about 8% of the requests). Each customer's profile is fixed for the
  whole history: tier 1:15%, 2:25%, 3:30%, 4:20%, 5:10%; lifetime value lognormal
  around 150 / 400 / 1,000 / 3,000 / 9,000 by tier; member for 30 days to 12
  years (longer for higher tiers); segment known for 70%; flags `abusive` 1%,
  `fraud_watch` 2%. The counters change every quarter (91 days), as a CRM's rolling
  counts do: purchases_12m around 1.5 / 3 / 5 / 8 / 13 by tier (at least 1);
  returns_12m each purchase with probability 10% (abusive 60%, fraud_watch 30%);
  exceptions_90d 0:80%, 1:13%, 2:5%, 3:2% (abusive +2);
  `attributes.fee_waivers_12m` (read by rules/fee_waivers.yaml) 0:72%, 1:22%, 2:6%.
- catalogue: 36 products in 11 categories, 3 variants each (colours, or sizes for
  apparel), list prices log-uniform inside each product's band, so item prices
  run roughly lognormal from 5 to 1,500 (median about 45); half end in .99.
  Cheap products sell more often.
- transactions: 1 item 60%, 2 items 28%, 3 items 12%; 8% of lines quantity 2; 4%
  of lines are clearance (final sale, 30-60% off); channel in store 65%, online
  30%, phone 5%. Bought 0-30 days before the request 62%, 31-90 days 25%,
  91-200 days 13% (never before the customer joined).
- actors: associate 75%, supervisor 20%, store_manager 5%, from a roster of 41.
- returns and exchanges: condition unused 35%, opened 35%, used 10%, damaged 5%,
  defective 15%; box intact 90% of unused items, 65% of opened, 25% otherwise;
  receipt yes 80%, no 12%, unknown 8%; reasons as the shipped rules and
  examples name them; the store is at fault for `wrong_item_sold` and for a third
  of `not_as_described`.
- refunds: double_charge 40% (the line's price), overcharged 30% and
  price_error 15% (2-30% of it), other 15% (which the refunds policy denies);
  a case is attached to 15%.
- price adjustments: price_drop 75%, new_customer_offer 20%, other 5%; 5-30% of
  the price.
- fee waivers: no transaction; restocking, late-payment, redelivery or delivery
  fees of 5.00-99.00 (mostly under 30); the store at fault 15%; a case 10%.
- goodwill: damaged_in_transit 25%, late_delivery 30%, wrong_item_sold 15%,
  poor_service 20%, long_wait 10%; an amount asked 65% (5-50); a case 25%; a
  transaction 70% (online for 80% of those).
- requested_at: chronological, spread evenly over [start, start + days).
- the facts of release 2 (from a random stream of their own, so every other fact is
  what the same seed gave before): customer membership none 15%, member 50%, plus
  25%, executive 10% (fixed per customer); the transaction's region one of six
  states; online orders delivered 2-7 days after purchase (never after the
  request); a line of quantity 2 returned whole half the time, else one unit;
  requests come in store 70% (with a store id), by mail 20%, online 10%, each
  from one of the six regions.
"""

from __future__ import annotations

import itertools
import math
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Generic, TypeVar

from ..models import Actor, CaseFacts, Customer, LineItem, Request, Situation, Transaction

__all__ = ["simulate"]

T = TypeVar("T")


class _Mix(Generic[T]):
    """A weighted choice made with one `random()` draw (faster than `random.choices`)."""

    __slots__ = ("_cum", "values")

    def __init__(self, weights: Mapping[T, float]) -> None:
        total = sum(weights.values())
        self.values = tuple(weights)
        running = 0.0
        cum: list[float] = []
        for weight in weights.values():
            running += weight / total
            cum.append(running)
        cum[-1] = 1.0  # so that any u < 1 picks a value, whatever the rounding
        self._cum = tuple(cum)

    def pick(self, u: float) -> T:
        return self.values[bisect_right(self._cum, u)]


# Weight tables read best as compact rows, so the formatter leaves them alone.
# fmt: off
KINDS = _Mix({"return": 50, "exchange": 15, "refund": 10, "price_adjustment": 10,
              "fee_waiver": 10, "goodwill": 5})
TIERS = _Mix({1: 15, 2: 25, 3: 30, 4: 20, 5: 10})
LTV_MEDIAN = (0.0, 150.0, 400.0, 1000.0, 3000.0, 9000.0)  # by tier
PURCHASES_MEAN = (0.0, 1.5, 3.0, 5.0, 8.0, 13.0)  # by tier
EXCEPTIONS = _Mix({0: 80, 1: 13, 2: 5, 3: 2})
FEE_WAIVERS = _Mix({0: 72, 1: 22, 2: 6})
SEGMENTS = ("home barista", "creative professional", "outdoor family", "home baker",
            "health conscious", "student", "gamer", "small business")
ROLES = _Mix({"associate": 75, "supervisor": 20, "store_manager": 5})
ROSTER = {"associate": 30, "supervisor": 8, "store_manager": 3}
STORES = tuple(f"STORE-{k:03d}" for k in range(1, 13))
CHANNELS = _Mix({"in_store": 65, "online": 30, "phone": 5})
# The facts of DESIGN 2.1, drawn from a stream of their own (`_generate`), so the
# first release's facts are what they were for every seed.
MEMBERSHIPS = _Mix({None: 15, "member": 50, "plus": 25, "executive": 10})
REGIONS = ("ca", "ny", "tx", "wa", "il", "fl")
RETURN_CHANNELS = _Mix({"in_store": 70, "mail": 20, "online": 10})
PAYMENTS = _Mix({"credit_card": 55, "debit_card": 25, "cash": 10, "paypal": 7, "gift_card": 3})
ITEMS_PER_TXN = _Mix({1: 60, 2: 28, 3: 12})
CONDITIONS = _Mix({"unused": 35, "opened": 35, "used": 10, "damaged": 5, "defective": 15})
RECEIPT = _Mix({True: 80, False: 12, None: 8})
RETURN_REASONS = _Mix({"changed_mind": 40, "wrong_size": 15, "not_as_described": 12,
                       "wrong_item_sold": 8, "better_price_elsewhere": 10, "unwanted_gift": 15})
EXCHANGE_REASONS = _Mix({"wrong_size": 45, "wrong_colour": 15, "changed_mind": 20,
                         "wrong_item_sold": 10, "other": 10})
REFUND_REASONS = _Mix({"double_charge": 40, "overcharged": 30, "price_error": 15,
                       "changed_mind": 10, "other": 5})
PRICE_REASONS = _Mix({"price_drop": 75, "new_customer_offer": 20, "competitor_price": 5})
FEE_REASONS = _Mix({"restocking_fee": 40, "late_payment_fee": 25, "redelivery_fee": 20,
                    "delivery_fee": 15})
FEES = _Mix({"5.00": 10, "7.50": 10, "9.99": 14, "12.50": 12, "15.00": 14, "19.99": 10,
             "25.00": 10, "29.99": 6, "35.00": 5, "45.00": 4, "60.00": 2, "75.00": 2, "99.00": 1})
GOODWILL_REASONS = _Mix({"damaged_in_transit": 25, "late_delivery": 30, "wrong_item_sold": 15,
                         "poor_service": 20, "long_wait": 10})
GOODWILL_ASKS = _Mix({"5.00": 10, "10.00": 30, "15.00": 20, "20.00": 20, "25.00": 10, "50.00": 10})
CASE_SHARE = {"refund": 0.15, "goodwill": 0.25, "fee_waiver": 0.10}

# sku prefix, description, category, price band (low, high), popularity
PRODUCTS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("SPK-BT", "Bluetooth speaker", "audio", 25, 250, 5),
    ("HDP-OVR", "Over-ear headphones", "audio", 40, 450, 4),
    ("EAR-TWS", "Wireless earbuds", "audio", 20, 280, 6),
    ("SND-BAR", "Soundbar", "audio", 120, 900, 2),
    ("BLD-HS", "High-speed blender", "kitchen", 40, 400, 3),
    ("GRD-BURR", "Burr coffee grinder", "kitchen", 40, 300, 3),
    ("ESP-MCH", "Espresso machine", "kitchen", 150, 1500, 1.5),
    ("KTL-EL", "Electric kettle", "kitchen", 15, 120, 5),
    ("MIX-STAND", "Stand mixer", "kitchen", 150, 700, 1.5),
    ("PAN-SET", "Non-stick pan set", "kitchen", 30, 250, 3),
    ("JKT-RAIN", "Rain jacket", "apparel", 40, 250, 5),
    ("TSH-COT", "Cotton T-shirt", "apparel", 8, 40, 10),
    ("JNS-SLM", "Slim jeans", "apparel", 30, 120, 7),
    ("SHO-RUN", "Running shoes", "apparel", 50, 220, 6),
    ("SCF-WOL", "Wool scarf", "apparel", 12, 80, 5),
    ("LAP-14", "14-inch laptop", "computers", 500, 1500, 1.5),
    ("MON-27", "27-inch monitor", "computers", 150, 800, 2),
    ("KBD-MEC", "Mechanical keyboard", "computers", 40, 220, 3),
    ("MSE-WL", "Wireless mouse", "computers", 15, 120, 5),
    ("PWR-USBC", "USB-C power adapter", "accessories", 15, 90, 6),
    ("CBL-USBC", "USB-C cable", "accessories", 5, 35, 10),
    ("CAS-PHN", "Phone case", "accessories", 8, 60, 8),
    ("BAG-LAP", "Laptop bag", "accessories", 30, 180, 3),
    ("WCH-SMART", "Smartwatch", "wearables", 120, 800, 2.5),
    ("BND-FIT", "Fitness band", "wearables", 30, 200, 3),
    ("TV-55", "55-inch TV", "tv", 350, 1500, 1.5),
    ("STK-STR", "Streaming stick", "tv", 25, 90, 4),
    ("LMP-DSK", "Desk lamp", "home", 15, 120, 5),
    ("VAC-RBT", "Robot vacuum", "home", 150, 900, 2),
    ("PIL-MEM", "Memory-foam pillow", "home", 20, 110, 4),
    ("LEG-SET", "Building set", "toys", 10, 250, 5),
    ("BRD-GAM", "Board game", "toys", 12, 70, 5),
    ("BKS-HC", "Hardcover book", "books", 8, 45, 8),
    ("TNT-2P", "Two-person tent", "outdoor", 60, 500, 2),
    ("BTL-STL", "Steel water bottle", "outdoor", 10, 45, 6),
    ("LNT-HD", "Head torch", "outdoor", 10, 90, 4),
)
COLOURS = (("BLK", "black"), ("WHT", "white"), ("GRY", "grey"))
FLOOR_PRICE = Decimal("5.00")
SIZES = (("S", "size S"), ("M", "size M"), ("L", "size L"))
# fmt: on


def _money(value: float) -> Decimal:
    """Exact money with two decimals (`20.00`, never `20`), from a float draw."""
    return Decimal(round(value * 100)).scaleb(-2)


class _Sku:
    """One sellable sku: its line at list price, at quantity 2, and on clearance."""

    __slots__ = ("clearance", "double", "line", "sku")

    def __init__(self, sku: str, description: str, category: str, cents: int, off: float) -> None:
        price = Decimal(cents).scaleb(-2)
        sale = max(_money(cents / 100 * (1 - off)), FLOOR_PRICE)  # list prices are >= 5.00
        base = {"sku": sku, "description": description, "category": category}
        self.sku = sku
        self.line = LineItem(unit_price=price, **base)
        self.double = LineItem(unit_price=price, quantity=2, **base)
        self.clearance = LineItem(unit_price=sale, final_sale=True, **base)


def _catalogue(rng: random.Random) -> tuple[tuple[_Sku, ...], _Mix[int]]:
    skus: list[_Sku] = []
    popularity: dict[int, float] = {}
    for prefix, description, category, low, high, weight in PRODUCTS:
        price = math.exp(rng.uniform(math.log(low), math.log(high)))
        cents = max(500, min(150_000, round(price * 100)))
        if rng.random() < 0.5 and cents >= 1000:
            cents = cents // 100 * 100 - 1  # 49.99 rather than 50.00
        for code, words in SIZES if category == "apparel" else COLOURS:
            off = rng.uniform(0.3, 0.6)
            popularity[len(skus)] = weight
            skus.append(_Sku(f"{prefix}-{code}", f"{description} ({words})", category, cents, off))
    return tuple(skus), _Mix(popularity)


def _mix_seed(seed: int, index: int, period: int) -> int:
    """One integer per (history, customer, quarter), so each is drawn independently."""
    return (seed * (1 << 48)) + index * 64 + period


def _roster() -> dict[str, tuple[Actor, ...]]:
    ids = itertools.count(1)
    return {
        role: tuple(Actor(id=f"EMP-{next(ids):04d}", role=role) for _ in range(count))
        for role, count in ROSTER.items()
    }


def simulate(
    n: int, *, seed: int = 0, start: date = date(2025, 11, 1), days: int = 365
) -> Iterator[Situation]:
    """Yield `n` consistent situations, in date order, the same ones for the same seed.

    The mix is described in this module's docstring.  Lazy: nothing is made
    before it is asked for, and memory stays flat however large `n` is.
    """
    if n < 0:
        raise ValueError(f"n must be at least 0, not {n}")
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    return _generate(n, seed, start, days)


def _generate(n: int, seed: int, start: date, days: int) -> Iterator[Situation]:
    rng = random.Random(seed)
    u = rng.random
    v = random.Random(f"{seed}:release-2").random  # deliveries, regions, quantities
    skus, popular = _catalogue(rng)
    roster = _roster()
    pool = max(50, n // 4)
    start_ordinal = start.toordinal()

    @lru_cache(maxsize=4096)
    def profile(index: int) -> tuple[int, Decimal, date, str | None, frozenset[str], float]:
        r = random.Random(_mix_seed(seed, index, 0))
        tier: int = TIERS.pick(r.random())
        value = _money(LTV_MEDIAN[tier] * r.lognormvariate(0.0, 0.6))
        tenure = 30 + int(4350 * r.random() ** (1.6 - 0.25 * tier))
        segment = SEGMENTS[int(r.random() * len(SEGMENTS))] if r.random() < 0.7 else None
        flags: set[str] = set()
        if r.random() < 0.01:
            flags.add("abusive")
        if r.random() < 0.02:
            flags.add("fraud_watch")
        return tier, value, start - timedelta(days=tenure), segment, frozenset(flags), r.random()

    @lru_cache(maxsize=4096)
    def customer(index: int, quarter: int) -> Customer:
        tier, value, since, segment, flags, level = profile(index)
        r = random.Random(_mix_seed(seed, index, quarter + 1))
        purchases = max(1, round(PURCHASES_MEAN[tier] * r.lognormvariate(0.0, 0.5)))
        rate = 0.6 if "abusive" in flags else 0.3 if "fraud_watch" in flags else 0.1
        exceptions: int = EXCEPTIONS.pick(r.random()) + (2 if "abusive" in flags else 0)
        return Customer(
            id=f"CUST-{index:06d}",
            tier=tier,
            segment=segment,
            lifetime_value=value,
            purchases_12m=purchases,
            returns_12m=sum(r.random() < rate for _ in range(purchases)),
            exceptions_90d=exceptions,
            member_since=since,
            membership=MEMBERSHIPS.pick(level),
            flags=flags,
            attributes={"fee_waivers_12m": FEE_WAIVERS.pick(r.random())},
        )

    def line() -> LineItem:
        sku = skus[popular.pick(u())]
        roll = u()
        return sku.clearance if roll < 0.04 else sku.double if roll < 0.12 else sku.line

    def days_before() -> int:
        roll = u()
        if roll < 0.62:
            return int(31 * u() ** 1.3)
        if roll < 0.87:
            return 31 + int(60 * u())
        return 91 + int(110 * u())

    for i in range(n):
        offset = i * days // n
        today = date.fromordinal(start_ordinal + offset)
        kind: str = KINDS.pick(u())
        who = customer(int(pool * u() ** 1.8), offset // 91)
        role: str = ROLES.pick(u())
        staff = roster[role]
        actor = staff[int(u() * len(staff))]
        stamp = f"{today:%Y%m%d}-{i:06d}"
        fields: dict[str, Any] = {"id": f"REQ-{stamp}", "kind": kind, "requested_at": today}
        case: CaseFacts | None = None
        if u() < CASE_SHARE.get(kind, 0.0):
            case = _case(u, f"CASE-{stamp}")
            fields["case_id"] = case.id
        transaction: Transaction | None = None
        channel: str = CHANNELS.pick(u())
        if kind != "fee_waiver" and not (kind == "goodwill" and u() < 0.3):
            wanted = line()
            items = [wanted]
            for _ in range(ITEMS_PER_TXN.pick(u()) - 1):
                other = line()
                if all(other.sku != x.sku for x in items):
                    items.insert(int(u() * (len(items) + 1)), other)
            bought = max(today - timedelta(days=days_before()), who.member_since or today)
            if kind == "goodwill" and u() < 0.8:
                channel = "online"  # most goodwill is about a delivery
            transaction = Transaction(
                id=f"TXN-{stamp}",
                purchased_at=bought,
                customer_id=who.id,
                store_id="WEB" if channel == "online" else STORES[int(u() * len(STORES))],
                channel=channel,
                items=tuple(items),
                payment_method=PAYMENTS.pick(u()),
            )
            transaction = _delivered(v, transaction, today)
            fields["transaction_id"] = transaction.id
            fields["sku"] = wanted.sku
            fields["quantity"] = 2 if wanted.quantity == 2 and v() < 0.5 else 1
            _KIND_FIELDS[kind](u, fields, wanted.unit_price * wanted.quantity)
        else:
            _KIND_FIELDS[kind](u, fields, None)
        fields["channel"] = RETURN_CHANNELS.pick(v())
        fields["region"] = REGIONS[int(v() * len(REGIONS))]
        if fields["channel"] == "in_store":
            fields["store_id"] = STORES[int(v() * len(STORES))]
        yield Situation(
            request=Request(**fields),
            customer=who,
            transaction=transaction,
            actor=actor,
            case=case,
        )


Draw = Callable[[], float]


def _delivered(v: Draw, transaction: Transaction, today: date) -> Transaction:
    """Where it was sold, and when an online order arrived (2-7 days later, not after
    the request); a purchase in a store is received when it is bought."""
    update: dict[str, Any] = {"region": REGIONS[int(v() * len(REGIONS))]}
    if transaction.channel == "online":
        arrived = transaction.purchased_at + timedelta(days=2 + int(6 * v()))
        update["delivered_at"] = min(arrived, today)
    return transaction.model_copy(update=update)


def _case(u: Draw, case_id: str) -> CaseFacts:
    contacts = 1 + int(5 * u() ** 2)
    promises = int(3 * u() ** 2)
    overdue = sum(u() < 0.3 for _ in range(promises))
    return CaseFacts(
        id=case_id,
        contacts_total=contacts,
        contacts_14d=max(1, contacts - int(u() * contacts)),
        days_open=int(21 * u() ** 1.5),
        steps=contacts + int(3 * u()),
        open_promises=promises,
        overdue_promises=overdue,
    )


def _goods(u: Draw, fields: dict[str, Any], reasons: _Mix[str], remedy: str) -> None:
    """A return or an exchange: condition, box, receipt and reason fit together."""
    condition: str = CONDITIONS.pick(u())
    if condition == "defective":
        reason = "defective" if u() < 0.9 else "not_as_described"
    else:
        reason = reasons.pick(u())
    intact = 0.9 if condition == "unused" else 0.65 if condition == "opened" else 0.25
    fields["item_condition"] = condition
    fields["packaging_intact"] = u() < intact
    fields["has_receipt"] = RECEIPT.pick(u())
    fields["reason"] = reason
    fields["store_at_fault"] = reason == "wrong_item_sold" or (
        reason == "not_as_described" and u() < 1 / 3
    )
    fields["requested_remedy"] = remedy if u() < 0.9 else "store_credit"


def _share(price: Decimal | None, low: float, high: float, u: Draw) -> Decimal:
    base = float(price) if price is not None else 50.0
    return max(Decimal("0.50"), _money(base * (low + (high - low) * u())))


def _refund(u: Draw, fields: dict[str, Any], price: Decimal | None) -> None:
    reason: str = REFUND_REASONS.pick(u())
    fields["reason"] = reason
    fields["requested_remedy"] = "refund"
    if reason == "double_charge":
        fields["store_at_fault"] = True
        fields["amount"] = price
    elif reason in ("overcharged", "price_error"):
        fields["store_at_fault"] = True
        fields["amount"] = _share(price, 0.02, 0.3, u)
    else:
        fields["amount"] = price


def _price_adjustment(u: Draw, fields: dict[str, Any], price: Decimal | None) -> None:
    fields["reason"] = PRICE_REASONS.pick(u())
    fields["requested_remedy"] = "price_adjustment"
    fields["amount"] = _share(price, 0.05, 0.3, u)


def _fee_waiver(u: Draw, fields: dict[str, Any], price: Decimal | None) -> None:
    fields["reason"] = FEE_REASONS.pick(u())
    fields["store_at_fault"] = u() < 0.15
    fields["requested_remedy"] = "fee_waiver"
    fields["amount"] = Decimal(FEES.pick(u()))


def _goodwill(u: Draw, fields: dict[str, Any], price: Decimal | None) -> None:
    reason: str = GOODWILL_REASONS.pick(u())
    fields["reason"] = reason
    fields["store_at_fault"] = reason == "wrong_item_sold" or (
        reason in ("damaged_in_transit", "late_delivery") and u() < 0.3
    )
    if reason == "damaged_in_transit" and price is not None:
        fields["item_condition"] = "damaged"
    fields["requested_remedy"] = "gift_card"
    if u() < 0.65:
        fields["amount"] = Decimal(GOODWILL_ASKS.pick(u()))


_KIND_FIELDS: dict[str, Callable[[Draw, dict[str, Any], Decimal | None], None]] = {
    "return": lambda u, fields, _: _goods(u, fields, RETURN_REASONS, "refund"),
    "exchange": lambda u, fields, _: _goods(u, fields, EXCHANGE_REASONS, "exchange"),
    "refund": _refund,
    "price_adjustment": _price_adjustment,
    "fee_waiver": _fee_waiver,
    "goodwill": _goodwill,
}
