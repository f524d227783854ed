from plans.access import access_for
from plans.navigation import entries_for


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": []}
    return {"nav_entries": entries_for(user), "portal_access": access_for(user)}
