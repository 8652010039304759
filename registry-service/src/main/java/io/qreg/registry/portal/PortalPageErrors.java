package io.qreg.registry.portal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PortalPage;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

/**
 * The one place a failure on a portal page becomes the error page (templates/error.html, inside the
 * normal layout with the navigation and the signed-in person): an unknown model, job or variant, a
 * malformed id, a refused filter or form outside its own re-rendered form. It covers every controller
 * marked {@link PortalPage}, in whichever feature's package it lives, so a new portal page needs no
 * registration; the API's controllers keep their problem+json ({@link io.qreg.registry.web.ApiExceptionHandler}).
 * Ordered first so it wins over that application-wide handler for these controllers. Failures outside a
 * controller (an unmapped path, the security layer's 403) reach the same template through {@code /error}.
 */
@ControllerAdvice(annotations = PortalPage.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class PortalPageErrors {

    @ExceptionHandler(ApiException.class)
    ModelAndView refused(ApiException e, HttpServletRequest request) {
        return page(e.status(), e.getMessage(), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ModelAndView malformed(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return page(HttpStatus.NOT_FOUND, "'" + e.getValue() + "' is not a valid " + e.getName() + ".", request);
    }

    /** The attributes Spring Boot's error controller gives templates/error.html, so both paths render alike. */
    private static ModelAndView page(HttpStatus status, String message, HttpServletRequest request) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("status", status.value());
        model.put("error", status.getReasonPhrase());
        model.put("message", message);
        model.put("path", request.getRequestURI());
        model.put("timestamp", Instant.now());
        return new ModelAndView("error", model, status);
    }
}
