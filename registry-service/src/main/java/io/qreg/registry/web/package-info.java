/** Cross-cutting web concerns of the API: problem details, pagination and request logging. */
package io.qreg.registry.web;
