/*
 * docs/api/gatehouse-docs.js: starts Swagger UI on GET /api/docs over
 * /api/openapi.json (both served as files by the web server).
 *
 * Promises: nothing is asked of another host (no validator badge:
 * validatorUrl null); an authorization is kept in the page's memory
 * only, never in localStorage (persistAuthorization false), so a token
 * is gone with the tab; "Authorize" with the password flow posts the
 * OAuth2 password grant as a form to the document's tokenUrl,
 * /api/auth/login, and sends the access token it answers as a bearer.
 */
"use strict";

window.addEventListener("load", function () {
	window.ui = SwaggerUIBundle({
		url: "/api/openapi.json",
		dom_id: "#swagger-ui",
		/* The plain layout: no top bar to load another document. */
		presets: [SwaggerUIBundle.presets.apis],
		layout: "BaseLayout",
		deepLinking: true,
		validatorUrl: null,
		persistAuthorization: false,
		displayRequestDuration: true,
		showExtensions: true,
		showCommonExtensions: true
	});
});
