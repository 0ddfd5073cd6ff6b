/* SPDX-License-Identifier: ISC */
/* empty.c: stands in for a subsystem that has no source file yet. */
#include "common/compat.h"

int kiln_empty_module_placeholder_symbol;
