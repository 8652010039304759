/** The portal's pages: controllers that compose the features' services into Thymeleaf views. */
package io.qreg.registry.portal;
