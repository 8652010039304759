package io.qreg.registry.portal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.web.ApiException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

/**
 * A failure on these portal pages (an unknown model, job or variant; a malformed id; a refused
 * filter) is shown as the error page a person can act on, not the API's problem+json, which the
 * application-wide handler would otherwise answer with. Ordered first so it wins for these controllers.
 */
@ControllerAdvice(assignableTypes = {PortalController.class, ModelPortalController.class,
        VariantPortalController.class, JobPortalController.class})
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

    /** The attributes Spring Boot's error controller gives templates/error.html. */
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
