# Passerelle: the two commands first.
#   make up     set up and run the whole platform locally (no Docker needed)
#   make test   run the whole test suite on a test stack of its own
SHELL := /bin/bash
STACK := uv run --no-sync python deploy/native/stack.py
# The services come from the registry (services.toml), read with the standard library only.
REGISTRY := python3 scripts/registry.py
SERVICES := $(shell $(REGISTRY) names)
ifeq ($(strip $(SERVICES)),)
$(error scripts/registry.py could not read services.toml (it needs python3 3.11 or later, for tomllib))
endif
# Every service is type-checked (none skipped).
MYPY_SKIP :=

.PHONY: up test down status logs install bench bench-national lint schemas asyncapi seed migrate new-service

DEMO_PASSWORD_FILE := .stack/dev/demo-password

up: install
	$(STACK) start --with-services
	@$(MAKE) --no-print-directory seed
	@$(STACK) status
	@echo
	@$(REGISTRY) urls

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

# The national September through the whole pipeline (bench/bench_national.py); BENCH_NATIONAL_CONTRACTS and
# BENCH_NATIONAL_RATE size it (`make bench` runs a smaller one).
bench-national: install
	scripts/bench.sh national

lint:
	uv run --no-sync ruff check .
	uv run --no-sync mypy libs/src contracts-schemas/src
	uv run --no-sync mypy deploy/native/nativestack scripts/registry.py scripts/new_service.py
	@for s in $(filter-out $(MYPY_SKIP),$(SERVICES)); do \
	  uv run --no-sync mypy services/$$s/src || exit 1; done

# Demo accounts' password: PASSERELLE_DEMO_PASSWORD if set, else one drawn at random once and kept in .stack/.
seed:
	@mkdir -p .stack/dev
	@if [ -n "$$PASSERELLE_DEMO_PASSWORD" ]; then echo "$$PASSERELLE_DEMO_PASSWORD" > $(DEMO_PASSWORD_FILE); \
	 elif [ ! -s $(DEMO_PASSWORD_FILE) ]; then uv run --no-sync python -c "import secrets; print('Demo-' + secrets.token_urlsafe(12))" > $(DEMO_PASSWORD_FILE); fi
	@eval "$$($(STACK) env)"; PASSERELLE_DEMO_PASSWORD="$$(cat $(DEMO_PASSWORD_FILE))" \
	  uv run --no-sync python -m passerelle.identity.cli
	@echo "Mot de passe des comptes de démonstration : $$(cat $(DEMO_PASSWORD_FILE))"

# A new service in the house shape, registered and in the workspace: make new-service NAME=training-offers
new-service:
	@test -n "$(NAME)" || { echo "usage: make new-service NAME=training-offers [TITLE='Offres de formation'] [PORT=8006]"; exit 1; }
	python3 scripts/new_service.py $(NAME) $(if $(TITLE),--title "$(TITLE)") $(if $(PORT),--port $(PORT))

schemas:
	uv run --no-sync python -m passerelle.schemas.export

asyncapi:
	uv run --no-sync python scripts/asyncapi.py --out docs/asyncapi
