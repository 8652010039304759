package io.qreg.registry.portal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.web.ApiException;

import org.springframework.web.servlet.ModelAndView;

/**
 * A feature service's refusal, shown to a browser as the portal's error page (status, reason and
 * the problem's detail) instead of the API's problem+json, which a person cannot read.
 */
final class PortalErrors {

    private PortalErrors() {
    }

    static ModelAndView page(ApiException e, HttpServletRequest request) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("status", e.status().value());
        model.put("error", e.status().getReasonPhrase());
        model.put("message", e.getMessage());
        model.put("path", request.getRequestURI());
        model.put("timestamp", Instant.now());
        return new ModelAndView("error", model, e.status());
    }
}
