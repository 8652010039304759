package io.qreg.registry.deployment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.qreg.engine.quant.WeightPrecision;
import io.qreg.registry.archive.Archival;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.fallback.OperatingPoint;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Defines deployments and resolves them for rollouts and routing. A deployment's definition is
 * immutable once created: what changes over time is which backend serves each tier, and that is
 * the rollouts' business.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class DeploymentService {

    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern HEADER_VALUE = Pattern.compile("[\\x21-\\x7e]([\\x20-\\x7e]{0,254}[\\x21-\\x7e])?");
    private static final int MAX_ENVIRONMENTS = 10;
    private static final int MAX_TIERS = 20;

    private final Deployments deployments;
    private final ModelService models;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;

    @Transactional
    public DeploymentView create(DeploymentRequest r) {
        if (r == null) {
            throw ApiException.invalid("name", "a deployment needs {name, modelName, environments, tiers}");
        }
        String name = requireName("name", r.name());
        if (r.modelName() == null || r.modelName().isBlank()) {
            throw ApiException.invalid("modelName", "modelName is required: the model whose variants serve it");
        }
        ModelView model;
        try {
            model = models.get(r.modelName());
        } catch (ApiException e) {
            throw new ApiException(e.status(), e.getMessage(), "modelName");
        }
        if (r.description() != null && r.description().length() > 4000) {
            throw ApiException.invalid("description", "description must be at most 4000 characters");
        }
        List<String> environments = environments(r.environments());
        List<String> withoutApproval = r.environments().stream()
                .filter(e -> !e.requiresApproval()).map(DeploymentRequest.Environment::name).toList();
        List<TierView> tiers = tiers(r.tiers());
        List<CanaryMetric> metrics = CanaryMetric.validate(r.metrics());
        if (deployments.exists(name)) {
            throw ApiException.conflict("deployment '" + name + "' already exists; choose another name");
        }
        UUID id = UUID.randomUUID();
        var now = Timestamps.now();
        try {
            deployments.insert(id, name, model.id(), r.description(), environments, withoutApproval, tiers, metrics,
                    now);
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("deployment '" + name + "' already exists; choose another name");
        }
        DeploymentView view = new DeploymentView(id, name, model.name(), model.id(), r.description(), environments,
                withoutApproval, tiers, now, CurrentUser.username(), metrics, Archival.ACTIVE);
        audit.record("deployment.created", "deployment", name, null, view,
                Map.of("model", model.name(), "environments", environments,
                        "environmentsWithoutApproval", withoutApproval,
                        "tiers", tiers.stream().map(TierView::name).toList()));
        events.publishEvent(new DeploymentCreated(id, name, environments));
        return view;
    }

    @Transactional(readOnly = true)
    public DeploymentView get(String name) {
        return deployments.find(name).orElseThrow(() -> ApiException.notFound("deployment", name));
    }

    @Transactional(readOnly = true)
    public DeploymentView get(UUID id) {
        return deployments.find(id).orElseThrow(() -> ApiException.notFound("deployment", id));
    }

    /**
     * Reads the deployment and holds its row lock to the end of the caller's transaction: every
     * change to what a deployment serves takes it, so rollout moves and routing revisions of one
     * deployment happen one at a time while other deployments are unaffected.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public DeploymentView lock(String name) {
        return deployments.lock(name).orElseThrow(() -> ApiException.notFound("deployment", name));
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public DeploymentView lock(UUID id) {
        return deployments.lock(id).orElseThrow(() -> ApiException.notFound("deployment", id));
    }

    /**
     * Every deployment of the model, row-locked in name order (one order for every caller, so two
     * transactions cannot each hold a lock the other waits for): for re-publishing their routes.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<DeploymentView> lockAllOfModel(String modelName) {
        return deployments.lockAllOfModel(models.get(modelName).id());
    }

    /** Active deployments, of the model unless it is null. */
    @Transactional(readOnly = true)
    public Page<DeploymentView> list(String modelName, Pageable pageable) {
        return list(modelName, false, pageable);
    }

    /** {@code archived}: the archived deployments instead of the active ones. */
    @Transactional(readOnly = true)
    public Page<DeploymentView> list(String modelName, boolean archived, Pageable pageable) {
        UUID modelId = modelName != null && !modelName.isBlank() ? models.get(modelName).id() : null;
        return deployments.page(modelId, archived, pageable);
    }

    /**
     * Archives the deployment ({@code archived}) or makes it active again. Archived, it leaves the default list and
     * takes no new approvals or rollouts; what it serves keeps serving (its routing config is unchanged), so
     * archiving never cuts traffic. Idempotent.
     */
    @Transactional
    public DeploymentView setArchived(String name, boolean archived) {
        DeploymentView before = lock(name);
        if (before.archival().archived() == archived) {
            return before;
        }
        Archival after = Archival.after(archived, CurrentUser.username());
        deployments.setArchival(before.id(), after);
        DeploymentView view = get(before.id());
        audit.record(Archival.auditAction("deployment", archived), "deployment", name, before.archival(),
                view.archival(), Map.of());
        return view;
    }

    private static String requireName(String field, String value) {
        if (value == null || !ModelService.NAME.matcher(value).matches()) {
            throw ApiException.invalid(field, field + " must be 1-63 characters of lowercase letters, digits and '-'"
                    + " (not starting or ending with '-'), e.g. 'support-intent'; got '" + value + "'");
        }
        return value;
    }

    private static List<String> environments(List<DeploymentRequest.Environment> requested) {
        if (requested == null || requested.isEmpty()) {
            throw ApiException.invalid("environments", "environments is required, e.g. [\"staging\", \"production\","
                    + " {\"name\": \"dev\", \"approvalRequired\": false}]");
        }
        if (requested.size() > MAX_ENVIRONMENTS) {
            throw ApiException.invalid("environments", "at most " + MAX_ENVIRONMENTS + " environments, got "
                    + requested.size());
        }
        Set<String> seen = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            DeploymentRequest.Environment e = requested.get(i);
            if (e == null) {
                throw ApiException.invalid("environments[" + i + "]", "environments[" + i + "] is null; give a name"
                        + " or {\"name\", \"approvalRequired\"}");
            }
            String env = requireName("environments[" + i + "]", e.name());
            if (!seen.add(env)) {
                throw ApiException.invalid("environments[" + i + "]", "environment '" + env + "' is listed twice");
            }
            names.add(env);
        }
        return List.copyOf(names);
    }

    private static List<TierView> tiers(List<DeploymentRequest.Tier> requested) {
        if (requested == null || requested.isEmpty()) {
            throw ApiException.invalid("tiers", "tiers is required: at least one tier, exactly one of them"
                    + " {\"default\": true}, e.g. [{\"name\": \"standard\", \"default\": true}]");
        }
        if (requested.size() > MAX_TIERS) {
            throw ApiException.invalid("tiers", "at most " + MAX_TIERS + " tiers, got " + requested.size());
        }
        List<TierView> matching = new ArrayList<>();
        TierView fallThrough = null;
        List<String> defaults = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<Map<String, String>, String> matches = new LinkedHashMap<>();
        for (int i = 0; i < requested.size(); i++) {
            String field = "tiers[" + i + "]";
            DeploymentRequest.Tier t = requested.get(i);
            if (t == null) {
                throw ApiException.invalid(field, field + " is null");
            }
            String name = requireName(field + ".name", t.name());
            if (!names.add(name)) {
                throw ApiException.invalid(field + ".name", "tier '" + name + "' is listed twice");
            }
            String precision = t.precision() == null ? null : t.precision().trim().toLowerCase(Locale.ROOT);
            if (precision != null && !WeightPrecision.wireNames().contains(precision)) {
                throw ApiException.invalid(field + ".precision", "precision must be one of "
                        + String.join(", ", WeightPrecision.wireNames()) + " (or left out for any), got '"
                        + t.precision() + "'");
            }
            boolean isDefault = Boolean.TRUE.equals(t.isDefault());
            Map<String, String> headers = headers(field + ".headers", t.headers());
            if (isDefault) {
                defaults.add(name);
                if (!headers.isEmpty()) {
                    throw ApiException.invalid(field + ".headers", "the default tier '" + name + "' takes all"
                            + " traffic no other tier matches, so it cannot require headers; remove them");
                }
            } else if (headers.isEmpty()) {
                headers = Map.of("x-tier", name);
            }
            TierView tier = new TierView(name, precision, headers, Boolean.TRUE.equals(t.edge()), isDefault,
                    OperatingPoint.parse(t.fallback(), field + "." + OperatingPoint.FIELD));
            if (isDefault) {
                fallThrough = tier;
                continue;
            }
            String clash = matches.putIfAbsent(headers, name);
            if (clash != null) {
                throw ApiException.invalid(field + ".headers", "tiers '" + clash + "' and '" + name
                        + "' match the same headers " + headers + "; a request could not tell them apart");
            }
            matching.add(tier);
        }
        if (defaults.size() != 1) {
            throw ApiException.invalid("tiers", "exactly one tier must be {\"default\": true} (it matches all"
                    + " traffic the others do not); found " + (defaults.isEmpty() ? "none" : defaults.size()
                    + ": " + defaults));
        }
        matching.add(fallThrough);
        return List.copyOf(matching);
    }

    private static Map<String, String> headers(String field, Map<String, String> requested) {
        if (requested == null || requested.isEmpty()) {
            return Map.of();
        }
        Map<String, String> headers = new java.util.TreeMap<>();
        for (var e : requested.entrySet()) {
            String name = e.getKey() == null ? "" : e.getKey().trim().toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(name).matches()) {
                throw ApiException.invalid(field, "header name '" + e.getKey() + "' is not a plain HTTP header"
                        + " name (letters, digits and '-')");
            }
            if (e.getValue() == null || !HEADER_VALUE.matcher(e.getValue()).matches()) {
                throw ApiException.invalid(field, "header '" + name + "' needs a value of 1-256 printable ASCII"
                        + " characters without surrounding spaces, got '" + e.getValue() + "'");
            }
            if (headers.put(name, e.getValue()) != null) {
                throw ApiException.invalid(field, "header '" + name + "' is given twice");
            }
        }
        return java.util.Collections.unmodifiableMap(headers);
    }
}
