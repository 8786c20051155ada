"""No route of any service runs its endpoint or one of its dependencies on the thread pool.

FastAPI runs a plain `def` dependency or endpoint in a worker thread: a hand-off there and back for each request
(the thread woken, the GIL passed twice), for what are, here, a few lines of header parsing. Found in the
contracts service's profile at 20 transmissions a second (issue #13): If-Match parsed on the thread pool."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from passerelle.libs.testing.stack import load_registry

SERVICES = [entry.module for entry in load_registry().services()]  # each has entrypoints.http


def routers() -> list[APIRouter]:
    found = []
    for service in SERVICES:
        http = importlib.import_module(f"passerelle.{service}.entrypoints.http")  # a package, or one module
        inside = pkgutil.walk_packages(http.__path__, http.__name__ + ".") if hasattr(http, "__path__") else []
        for module in [http, *(importlib.import_module(m.name) for m in inside)]:
            found += [v for v in vars(module).values() if isinstance(v, APIRouter)]
    return found


def runs_on_the_loop(call: object) -> bool:
    return any(
        inspect.iscoroutinefunction(f) or inspect.isasyncgenfunction(f)
        for f in (call, type(call).__call__ if callable(call) else None)
    )


def threaded(dependant: Dependant, route: APIRoute) -> list[str]:
    out = []
    for dependency in dependant.dependencies:
        if dependency.call is not None and not runs_on_the_loop(dependency.call):
            out.append(f"{route.path}: {dependency.call.__module__}.{dependency.call.__qualname__}")
        out += threaded(dependency, route)
    return out


def test_every_endpoint_and_dependency_is_a_coroutine():
    routes = [r for router in routers() for r in router.routes if isinstance(r, APIRoute)]
    assert len(SERVICES) >= 7 and len(routes) > 100
    offenders = sorted({line for r in routes for line in threaded(r.dependant, r)})
    offenders += [f"{r.path}: {r.endpoint.__qualname__}" for r in routes if not runs_on_the_loop(r.endpoint)]
    assert offenders == []
