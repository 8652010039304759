package io.qreg.registry.web;

import org.springframework.ui.Model;
import org.springframework.web.servlet.ModelAndView;

/**
 * What the portal's form controllers share: a refusal shown beside the form, and the form page sent again
 * under the refusal's status.
 */
public final class PortalForms {

    private PortalForms() {
    }

    /** A refused form: the service's detail, and the field it blames. */
    public record Problem(String detail, String field) {

        public static Problem of(ApiException e) {
            return new Problem(e.getMessage(), e.field());
        }
    }

    /** The form page again, under the refusal's status, so a client (or a test) sees it was refused. */
    public static ModelAndView refused(String viewName, Model view, ApiException e) {
        return new ModelAndView(viewName, view.asMap(), e.status());
    }
}
