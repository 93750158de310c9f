/*
 * bounds: the sizes every module agrees on.  Fixed-size buffers are sized
 * from these, and every parser refuses input past them before it copies.
 */
#ifndef GH_BOUNDS_H
#define GH_BOUNDS_H

#define GH_USERNAME_MAX		64	/* bytes, per the contract */
#define GH_USERNAME_MIN		3
#define GH_ROLE_NAME_MAX	64
#define GH_ROLES_MAX		32	/* roles one user may hold */
#define GH_EMAIL_MAX		254	/* RFC 5321 path limit */
#define GH_EMPLOYEE_ID_MAX	64
#define GH_FULL_NAME_MAX	200
#define GH_PHONE_MAX		32
#define GH_PASSWORD_MAX		72	/* bcrypt reads no further */
#define GH_TOKEN_MAX		4096	/* a JWT we would ever issue is far smaller */
#define GH_ISSUER_MAX		128
#define GH_AUDIENCE_MAX		128
#define GH_SECRET_MAX		512
#define GH_HASH_MAX		128	/* a $2b$ hash is 60 bytes */
#define GH_TIMESTAMP_LEN	20	/* "2026-11-21T23:46:36Z" */
#define GH_UUID_LEN		36	/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */

#endif
