/*
 * status: names for the library's error type.  See status.h.
 */
#include "core/status.h"

const char *
gh_status_str(enum gh_status st)
{
	switch (st) {
	case GH_OK:
		return "ok";
	case GH_UNAVAILABLE:
		return "unavailable";
	case GH_CONFLICT:
		return "conflict";
	case GH_NOT_FOUND:
		return "not found";
	case GH_DB_ERROR:
		return "database error";
	case GH_NOMEM:
		return "out of memory";
	case GH_INTERNAL:
		return "internal error";
	case GH_LAST_ADMIN:
		return "last admin";
	}
	return "unknown";
}
