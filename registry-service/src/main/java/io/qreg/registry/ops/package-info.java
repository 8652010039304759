/**
 * Running the registry: the banner that says where it is ready and, on the first start, the admin's one-time
 * password; and, when a shutdown takes longer than it should, a log of what it waits for.
 */
package io.qreg.registry.ops;
