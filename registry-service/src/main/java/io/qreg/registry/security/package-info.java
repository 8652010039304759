/** Who may do what: accounts, roles, API tokens, and the filter chains that enforce them. */
package io.qreg.registry.security;
