/**
 * The portal pages that compose several features into one view, and what every portal page shares (its error page,
 * the header's badge, figures and charts); a page of one feature lives in that feature's package.
 */
package io.qreg.registry.portal;
