# Passerelle: the two commands first.
#   make up     set up and run the whole platform locally (no Docker needed)
#   make test   run the whole test suite on a test stack of its own
SHELL := /bin/bash
STACK := uv run --no-sync python deploy/native/stack.py
SERVICES := identity contracts documents opco-processing notifier portal

.PHONY: up test down status logs install bench lint schemas asyncapi seed migrate

up: install
	$(STACK) start --with-services
	@$(STACK) status
	@echo
	@echo "Portail            http://127.0.0.1:$${PORTAL_PORT:-8000}"
	@echo "Identité (API)     http://127.0.0.1:$${IDENTITY_PORT:-8001}/docs"
	@echo "Contrats (API)     http://127.0.0.1:$${CONTRACTS_PORT:-8002}/docs"
	@echo "Documents (API)    http://127.0.0.1:$${DOCUMENTS_PORT:-8003}/docs"
	@echo "Instruction OPCO   http://127.0.0.1:$${OPCO_PROCESSING_PORT:-8004}/docs"
	@echo "Notifications      http://127.0.0.1:$${NOTIFIER_PORT:-8005}/docs"
	@echo "Courriels reçus    http://127.0.0.1:$${MAIL_WEB_PORT:-8025}"

install:
	scripts/bootstrap.sh
	$(STACK) install

test:
	scripts/test.sh

down:
	$(STACK) stop

status:
	$(STACK) status

logs:
	$(STACK) logs $(PROGRAM)

bench: install
	scripts/bench.sh

lint:
	uv run --no-sync ruff check .
	uv run --no-sync mypy libs/src contracts-schemas/src

schemas:
	uv run --no-sync python -m passerelle.schemas.export

asyncapi:
	uv run --no-sync python scripts/asyncapi.py --out docs/asyncapi
