"""The payment gateway behind one small interface: charge the elder, refund them, pay the
merchant. A real provider (UnionPay, WeChat Pay, a bank) implements :class:`PaymentGateway`
and is installed with :func:`set_gateway`; the development gateway simulates every outcome."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class GatewayResult:
    ok: bool
    reference: str  # the provider's transaction id ("" when it failed before one existed)
    error: str = ""


class PaymentGateway(Protocol):
    def charge(self, *, order_id: int, amount: int, payer: str) -> GatewayResult: ...

    def refund(self, *, order_id: int, amount: int, charge_ref: str) -> GatewayResult: ...

    def payout(self, *, order_id: int, amount: int, merchant_ref: str) -> GatewayResult: ...


class DevGateway:
    """Simulates a provider: every call succeeds except amounts listed in ``fail_amounts``
    (charges) and merchants listed in ``fail_payouts`` — so tests and the demo can show a
    declined card or a bounced payout without a network."""

    def __init__(
        self, *, fail_amounts: frozenset[int] = frozenset(),
        fail_payouts: frozenset[str] = frozenset(),
    ) -> None:
        self.fail_amounts = fail_amounts
        self.fail_payouts = fail_payouts
        self._ids = itertools.count(1)

    def _ref(self, kind: str, order_id: int) -> str:
        return f"dev-{kind}-{order_id}-{next(self._ids)}"

    def charge(self, *, order_id: int, amount: int, payer: str) -> GatewayResult:
        if amount in self.fail_amounts:
            return GatewayResult(False, "", "declined")
        return GatewayResult(True, self._ref("charge", order_id))

    def refund(self, *, order_id: int, amount: int, charge_ref: str) -> GatewayResult:
        if not charge_ref:
            return GatewayResult(False, "", "nothing to refund")
        return GatewayResult(True, self._ref("refund", order_id))

    def payout(self, *, order_id: int, amount: int, merchant_ref: str) -> GatewayResult:
        if merchant_ref in self.fail_payouts:
            return GatewayResult(False, "", "account closed")
        return GatewayResult(True, self._ref("payout", order_id))


_GATEWAY: list[PaymentGateway] = [DevGateway()]


def get_gateway() -> PaymentGateway:
    return _GATEWAY[0]


def set_gateway(gateway: PaymentGateway) -> PaymentGateway:
    """Install a gateway (a real provider at start-up, a failing one in a test); returns the
    previous one."""
    previous = _GATEWAY[0]
    _GATEWAY[0] = gateway
    return previous
