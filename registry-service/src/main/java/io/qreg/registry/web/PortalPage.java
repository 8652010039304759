package io.qreg.registry.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.stereotype.Controller;

/**
 * A controller of portal pages (Thymeleaf views), in whichever feature's package it lives: the portal's error page
 * and the header's approval badge apply to exactly the controllers marked so, while the API's controllers keep
 * their problem+json.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Controller
public @interface PortalPage {
}
