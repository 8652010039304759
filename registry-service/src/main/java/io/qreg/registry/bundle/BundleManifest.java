package io.qreg.registry.bundle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.audit.AuditEvent;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.dataset.DatasetView;
import io.qreg.registry.job.Reproduction;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.variant.VariantView;

/**
 * Everything a bundle says about its variant, read once and written twice: as {@code manifest.json} ({@link #toMap})
 * and as {@code MODEL_CARD.md} ({@link ModelCard}).
 *
 * @param calibration the calibration dataset the variant was made with, or null for none
 * @param verdict the policy verdict over the evidence, as {@code GET /api/v1/variants/{id}/verdict} returns it
 * @param auditEvents the audit events about the variant and its approvals, oldest first
 */
record BundleManifest(Instant generatedAt, VariantView variant, ModelView model, CheckpointView checkpoint,
        RecipeView recipe, DatasetView calibration, Map<String, Object> verdict, List<ApprovalView> approvals,
        List<Reproduction> reproductions, List<AuditEvent> auditEvents) {

    static final String FORMAT = "qreg.bundle/v1";
    /** The model's path inside the zip: fixed, so the offline check is one line for every bundle. */
    static final String MODEL_PATH = "model.onnx";
    static final String MANIFEST_PATH = "manifest.json";
    static final String MODEL_CARD_PATH = "MODEL_CARD.md";

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("generatedAt", generatedAt);
        m.put("variant", variantSection());
        m.put("model", Map.of("path", MODEL_PATH, "sha256", variant.sha256(), "sizeBytes", variant.sizeBytes()));
        // A variant is stored as one self-contained ONNX file: there is no external data to list beside it.
        m.put("files", List.of(Map.of("path", MODEL_PATH, "sha256", variant.sha256(), "sizeBytes",
                variant.sizeBytes(), "role", "model")));
        m.put("lineage", lineage());
        m.put("hardwareProfiles", hardwareProfiles());
        m.put("evaluations", variant.evaluations());
        m.put("benchmarks", variant.benchmarks());
        m.put("verdict", verdict);
        m.put("approvals", approvals.stream().map(BundleManifest::approval).toList());
        m.put("reproductions", reproductions);
        m.put("auditEvents", auditEvents.stream().map(BundleManifest::event).toList());
        return m;
    }

    private Map<String, Object> variantSection() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", variant.id());
        v.put("modelName", variant.modelName());
        v.put("method", variant.method());
        v.put("precisionLabel", variant.precisionLabel());
        v.put("precisionMix", variant.precisionMix());
        v.put("createdAt", variant.createdAt());
        v.put("createdBy", variant.createdBy());
        v.put("jobId", variant.lineage() == null ? null : variant.lineage().get("jobId"));
        return v;
    }

    private Map<String, Object> lineage() {
        Map<String, Object> recorded = variant.lineage() == null ? Map.of() : variant.lineage();
        Map<String, Object> l = new LinkedHashMap<>();
        Map<String, Object> cp = new LinkedHashMap<>();
        cp.put("id", checkpoint.id());
        cp.put("modelName", checkpoint.modelName());
        cp.put("version", checkpoint.version());
        cp.put("sha256", checkpoint.sha256());
        cp.put("sizeBytes", checkpoint.sizeBytes());
        cp.put("license", checkpoint.license());
        cp.put("redistribution", checkpoint.redistribution());
        cp.put("sourceUri", checkpoint.sourceUri());
        cp.put("parentId", checkpoint.parentId());
        l.put("checkpoint", cp);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", recipe.name());
        r.put("version", recipe.version());
        r.put("contentHash", recipe.hash());
        r.put("method", recipe.method());
        r.put("algorithm", recipe.algorithm());
        r.put("configuration", recipe);
        l.put("recipe", r);
        l.put("calibrationDataset", calibration == null ? null : Map.of("name", calibration.name(), "version",
                calibration.version(), "sha256", calibration.sha256()));
        l.put("engineVersion", recorded.get("engineVersion"));
        l.put("onnxRuntimeVersion", recorded.get("onnxRuntimeVersion"));
        l.put("workerId", recorded.get("workerId"));
        l.put("hardwareProfile", recorded.get("hardwareProfile"));
        l.put("jobId", recorded.get("jobId"));
        return l;
    }

    /** Every distinct hardware profile the variant was made, evaluated or benchmarked on, with what it did there. */
    private List<Map<String, Object>> hardwareProfiles() {
        Map<Object, Map<String, Object>> byProfile = new LinkedHashMap<>();
        add(byProfile, variant.lineage() == null ? null : variant.lineage().get("hardwareProfile"), "quantized");
        variant.evaluations().forEach(e -> add(byProfile, e.hardwareProfile(), "evaluated"));
        variant.benchmarks().forEach(b -> add(byProfile, b.hardwareProfile(), "benchmarked"));
        return new ArrayList<>(byProfile.values());
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<Object, Map<String, Object>> byProfile, Object profile, String use) {
        if (profile == null) {
            return;
        }
        Map<String, Object> entry = byProfile.computeIfAbsent(profile, p -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("profile", p);
            e.put("usedFor", new ArrayList<String>());
            return e;
        });
        List<String> uses = (List<String>) entry.get("usedFor");
        if (!uses.contains(use)) {
            uses.add(use);
        }
    }

    private static Map<String, Object> approval(ApprovalView a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("deployment", a.deployment());
        m.put("environment", a.environment());
        m.put("tier", a.tier());
        m.put("status", a.status());
        m.put("requestedBy", a.requestedBy());
        m.put("requestedAt", a.requestedAt());
        m.put("decidedAt", a.decidedAt());
        m.put("expiresAt", a.expiresAt());
        m.put("evidenceDigest", a.evidenceDigest());
        m.put("signoffs", a.signoffs().stream().map(s -> {
            Map<String, Object> signoff = new LinkedHashMap<>();
            signoff.put("signer", s.username());
            signoff.put("role", s.role());
            signoff.put("decision", s.decision());
            signoff.put("comment", s.comment());
            signoff.put("signedAt", s.signedAt());
            return signoff;
        }).toList());
        return m;
    }

    private static Map<String, Object> event(AuditEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("occurredAt", e.occurredAt());
        m.put("actor", e.actor());
        m.put("action", e.action());
        m.put("subjectType", e.subjectType());
        m.put("subjectId", e.subjectId());
        m.put("details", e.details() == null ? null : CanonicalJson.mapper().readValue(e.details(), Object.class));
        m.put("hash", e.hash());
        return m;
    }

}
