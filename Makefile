# wsaemu — common tasks. The README's quick start needs only Go; these
# targets are for working on the emulator.
GO ?= go

.PHONY: test race vet bench cover demo fmt ci exhaustive

test: vet
	$(GO) test -race ./...

race:
	$(GO) test -race -count=1 ./...

vet:
	gofmt -l . | (! grep .) || (echo "gofmt needed"; exit 1)
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

cover:
	$(GO) test -coverprofile=cover.out ./...
	$(GO) tool cover -func=cover.out | tail -1

demo:
	$(GO) run ./cmd/wsaemu tour

fmt:
	gofmt -w .

ci:
	bash .ci/run

# Every schedule of the scenarios spec/exhaustive.list names; fails when a
# tree is not finished or an either/or branch no schedule reaches is not listed.
exhaustive:
	$(GO) run ./cmd/wsaemu check -exhaustive -complete -q -list spec/exhaustive.list

# Run the scenario corpus on real Winsock under Wine and compare it with the
# emulator (installs wine64 from Debian on first use; see scripts/wine-test.sh).
.PHONY: wine-test
wine-test:
	bash scripts/wine-test.sh

# The spec/emulated Cycle benchmark on the emulator and on Wine's ws2_32 in
# one process, with the ratio (scripts/wine-bench.sh; issue 16, item 4).
.PHONY: wine-bench
wine-bench:
	bash scripts/wine-test.sh --bench
