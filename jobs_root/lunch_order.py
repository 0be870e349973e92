"""The seed's "Mixed Flow Handling" example.

The seed declares the order as ``name = StringVar(...)``, but ``name`` is a reserved attribute of every
Job (its display name), so Jobdeck refuses that variable when the module loads. The only change
needed is to rename the variable, as done here with ``order``.
"""

from app.jobs import IntegerVar
from app.jobs import Job
from app.jobs import StringVar
from app.jobs import register_jobs


class LunchOrder(Job):
    order = StringVar(description="What are you ordering?", required=False)
    quantity = IntegerVar(description="How many?", default=1)

    def run(self, *, order, quantity):
        if not order:
            self.fail("No order provided.")
            return

        if quantity <= 0:
            raise ValueError("Quantity must be greater than zero.")

        self.logger.info("Order received: %d x %s", quantity, order)
        return f"Order summary: {quantity} x {order}"


register_jobs(LunchOrder)
