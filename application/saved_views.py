"""Saved views use cases: a user keeps named filters of the queue, saves and deletes them.

Each user's views are one aggregate (domain/saved_views.py), started by their first save.
"""

from application.command import CommandResult, Context
from application.desk import Desk
from application.once import answered_once
from application.saving import retrying
from domain.saved_views import SavedViews


def saved_views_of(desk: Desk, user_name: str) -> dict[str, str]:
    """The user's views, name → filter query string, in the order they were first saved."""
    found = desk.find(SavedViews.create_id(user_name))
    return dict(found.views) if isinstance(found, SavedViews) else {}


@answered_once
def save_view(desk: Desk, name: str, query: str, ctx: Context) -> CommandResult:
    """Saves the filter under the name for the caller (`ctx.actor`); an existing name is replaced."""
    views_id = SavedViews.create_id(ctx.actor)

    def attempt() -> CommandResult:
        stamp = desk.stamp(None, ctx)
        found = desk.find(views_id)
        views = found if isinstance(found, SavedViews) else SavedViews.start(ctx.actor, stamp)
        views.save(name, query, stamp)
        return desk.commit(ctx, views)

    return retrying(desk, (views_id,), attempt, "Your views are busy; please retry.")


@answered_once
def delete_view(desk: Desk, name: str, ctx: Context) -> CommandResult | None:
    """None when the caller has no saved views at all."""
    views_id = SavedViews.create_id(ctx.actor)

    def attempt() -> CommandResult | None:
        found = desk.find(views_id)
        if not isinstance(found, SavedViews):
            return None
        found.delete(name, desk.stamp(None, ctx))
        return desk.commit(ctx, found)

    return retrying(desk, (views_id,), attempt, "Your views are busy; please retry.")
