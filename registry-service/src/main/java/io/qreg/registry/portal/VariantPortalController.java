package io.qreg.registry.portal;

import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import jakarta.servlet.http.HttpServletResponse;

import io.qreg.registry.artifact.Downloads;
import io.qreg.registry.bundle.VariantBundles;
import io.qreg.registry.deployment.ServingAudit;
import io.qreg.registry.job.Reproductions;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.web.PortalPage;

import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import lombok.RequiredArgsConstructor;

/** A variant's page, and its artifact and bundle for people signed in to the portal. */
@PortalPage
@RequiredArgsConstructor
class VariantPortalController {

    private final VariantPages pages;
    private final VariantService variants;
    private final ServingAudit serving;
    private final LifecyclePages lifecycle;
    private final Reproductions reproductions;
    private final VariantBundles bundles;

    @GetMapping("/variants/{id}")
    String variant(@PathVariable UUID id, Model view) {
        view.addAttribute("page", pages.page(id));
        view.addAttribute("lifecycle", lifecycle.ofVariant(id));
        view.addAttribute("incidents", serving.servingWithoutValidApproval(null).stream()
                .filter(i -> i.serves(id)).toList());
        view.addAttribute("reproduction", reproductions.latest(id).orElse(null));
        return "variants/detail";
    }

    /** The same zip as {@code GET /api/v1/variants/{id}/bundle}, under the portal's session. */
    @GetMapping("/variants/{id}/bundle")
    void bundle(@PathVariable UUID id, HttpServletResponse response) throws java.io.IOException {
        bundles.send(id, response);
    }

    /**
     * The same bytes and headers as {@code GET /api/v1/variants/{id}/content} (ETag, ranges), under
     * the portal's session: the API only accepts tokens, which a browser does not have.
     */
    @GetMapping("/variants/{id}/download")
    ResponseEntity<Resource> download(@PathVariable UUID id, HttpServletRequest request) {
        VariantService.Content content = variants.content(id);
        return Downloads.of(content.resource(), content.sha256(), content.filename(), request);
    }
}
