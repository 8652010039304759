package io.qreg.registry.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import jakarta.servlet.http.HttpServletResponse;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.audit.AuditEvent;
import io.qreg.registry.audit.AuditQuery;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.job.Reproductions;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantVerdicts;
import io.qreg.registry.variant.VariantView;

import org.springframework.core.io.Resource;
import org.springframework.data.domain.PageRequest;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Service;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Builds a variant's bundle: reads everything the manifest names first (so an unknown variant is a 404 before any
 * byte is sent), then streams the zip: {@code manifest.json}, {@code MODEL_CARD.md}, then the model, copied from the
 * artifact store without holding it in memory.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class VariantBundles {

    /** More than any variant gathers; the manifest says so if a list was cut. */
    private static final int MAX_LISTED = 1000;

    private final VariantService variants;
    private final VariantVerdicts verdicts;
    private final ModelService models;
    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final ApprovalService approvals;
    private final Reproductions reproductions;
    private final AuditQuery audit;

    /** A bundle ready to stream: its two documents, rendered, and the model to copy after them. */
    record Bundle(String filename, byte[] manifestJson, byte[] modelCard, Resource model) {
    }

    @SuppressWarnings("unchecked")
    Bundle prepare(UUID variantId) {
        VariantView variant = variants.get(variantId);
        CheckpointView checkpoint = checkpoints.get(variant.checkpointId());
        Map<String, Object> recipe = asMap(variant.lineage().get("recipe"));
        Map<String, Object> calibration = asMap(variant.lineage().get("calibrationDataset"));
        List<ApprovalView> ofVariant = approvals.search(null, false, variantId, null, null, null,
                PageRequest.of(0, MAX_LISTED)).getContent();
        BundleManifest manifest = new BundleManifest(Timestamps.now(), variant, models.get(variant.modelName()),
                checkpoint, recipes.get((String) recipe.get("name"), ((Number) recipe.get("version")).intValue()),
                calibration == null ? null : datasets.get((String) calibration.get("name"),
                        ((Number) calibration.get("version")).intValue()),
                CanonicalJson.mapper().convertValue(verdicts.verdictOf(variant), Map.class), ofVariant,
                reproductions.of(variantId), auditEvents(variantId, ofVariant));
        byte[] json = CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(manifest.toMap())
                .getBytes(StandardCharsets.UTF_8);
        return new Bundle(variant.modelName() + "-" + variantId + "-bundle.zip", json,
                ModelCard.render(manifest).getBytes(StandardCharsets.UTF_8), variants.content(variantId).resource());
    }

    /**
     * Answers a request for the bundle (API and portal alike): prepared first, so a refusal is still a problem
     * response; then {@code application/zip} as an attachment, streamed.
     */
    public void send(UUID variantId, HttpServletResponse response) throws IOException {
        Bundle bundle = prepare(variantId);
        response.setContentType("application/zip");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
                ContentDisposition.attachment().filename(bundle.filename()).build().toString());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        write(bundle, response.getOutputStream());
    }

    void write(Bundle bundle, OutputStream out) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            entry(zip, BundleManifest.MANIFEST_PATH, bundle.manifestJson());
            entry(zip, BundleManifest.MODEL_CARD_PATH, bundle.modelCard());
            zip.putNextEntry(new ZipEntry(BundleManifest.MODEL_PATH));
            try (InputStream model = bundle.model().getInputStream()) {
                model.transferTo(zip);
            }
            zip.closeEntry();
        }
    }

    private static void entry(ZipOutputStream zip, String path, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(path));
        zip.write(content);
        zip.closeEntry();
    }

    /** The events about the variant and about each of its approvals, oldest first. */
    private List<AuditEvent> auditEvents(UUID variantId, List<ApprovalView> ofVariant) {
        List<AuditEvent> events = new ArrayList<>(about("variant", variantId));
        ofVariant.forEach(a -> events.addAll(about("approval", a.id())));
        events.sort(Comparator.comparingLong(AuditEvent::seq));
        return events;
    }

    private List<AuditEvent> about(String subjectType, UUID id) {
        return audit.find(new AuditQuery.Filter(null, null, subjectType, id.toString(), null, null, null),
                PageRequest.of(0, MAX_LISTED)).getContent();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }
}
