"""The identity service's HTTP API."""

from passerelle.identity.entrypoints.http import accounts, api_clients, auth, members, organisations

ROUTERS = (auth.router, accounts.router, organisations.router, members.router, api_clients.router)
