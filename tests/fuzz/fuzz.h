/*
 * fuzz.h: what every libFuzzer target here shares.  scripts/fuzz builds
 * and runs them; see it for the flags.
 *
 * A target checks the promises its parser's header makes, not only that
 * nothing crashes: FUZZ_ASSERT() aborts, and libFuzzer keeps the input.
 */
#ifndef GH_FUZZ_H
#define GH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: broken promise: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

#endif
