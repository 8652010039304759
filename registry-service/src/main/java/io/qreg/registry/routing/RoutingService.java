package io.qreg.registry.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.deployment.DeploymentCreated;
import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.policy.PolicyChanged;
import io.qreg.registry.variant.EvidenceRecorded;
import io.qreg.registry.rollout.Rollout;
import io.qreg.registry.rollout.RolloutEvent;
import io.qreg.registry.rollout.RolloutService;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.context.event.EventListener;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Publishes a new revision of an environment's routing config whenever its routes change (inside
 * the transaction that changed them), serves the current one from {@link RoutingCache}, and
 * answers for revisions, gateways and history.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class RoutingService {

    private static final Pattern GATEWAY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}");

    private final RoutingRevisions store;
    private final RoutingCache cache;
    private final DeploymentService deployments;
    private final RolloutService rollouts;
    private final AuditLog audit;
    private final FallbackThresholds fallbackThresholds;

    // ---------------------------------------------------------------- publishing

    @EventListener
    @Transactional(propagation = Propagation.MANDATORY)
    public void on(DeploymentCreated created) {
        for (String environment : created.environments()) {
            publish(created.deploymentId(), environment);
        }
    }

    @EventListener
    @Transactional(propagation = Propagation.MANDATORY)
    public void on(RolloutEvent event) {
        publish(event.deploymentId(), event.environment());
    }

    /**
     * A new evaluation may bring a curve that moves a fallback threshold of the model's deployments. Once the
     * evaluation is committed, in a transaction of its own: locking every deployment of the model inside the
     * worker's result transaction (which also re-judges approvals) could deadlock with a rollout that holds a
     * deployment and waits for an approval. Runs before the result request returns.
     */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void on(EvidenceRecorded recorded) {
        if (EvidenceRecorded.EVALUATION.equals(recorded.kind()) && recorded.variantId() != null) {
            publishModel(recorded.modelName());
        }
    }

    /** A policy's fallback operating point moves the thresholds of the tiers without their own (as above). */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void on(PolicyChanged changed) {
        publishModel(changed.modelName());
    }

    private void publishModel(String modelName) {
        for (DeploymentView d : deployments.lockAllOfModel(modelName)) {
            for (String environment : d.environments()) {
                publish(d.id(), environment);
            }
        }
    }

    /**
     * Writes the next revision if the routes differ from the newest stored ones. The caller holds
     * the deployment's row lock, so revision numbers of one deployment are taken one at a time.
     */
    private void publish(UUID deploymentId, String environment) {
        DeploymentView d = deployments.get(deploymentId);
        Map<String, Object> routes = RoutingDocuments.routes(d, rollouts.serving(deploymentId, environment),
                (tier, stable) -> fallbackThresholds.of(d, tier, stable));
        String digest = CanonicalJson.sha256(routes);
        Optional<RoutingRevisions.Head> head = store.head(deploymentId, environment);
        if (head.isPresent() && head.get().routesDigest().equals(digest)) {
            return;
        }
        long next = head.map(h -> h.revision() + 1).orElse(1L);
        Instant now = Timestamps.now();
        Rendered body = Rendered.of(CanonicalJson.write(RoutingDocuments.document(d, environment, next, now, routes)));
        store.insert(deploymentId, environment, next, body, digest, now);
        audit.record("routing.revised", "routing", d.name() + "/" + environment, null, routes,
                Map.of("revision", next, "etag", body.etag()));
        store.announce(d.name(), environment, next);
        Revision revision = new Revision(deploymentId, d.name(), environment, next, now, body.text());
        RoutingCache.Key key = new RoutingCache.Key(d.name(), environment);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                cache.offer(key, revision);
            }
        });
    }

    // ---------------------------------------------------------------- current revision

    /**
     * The current revision, from memory when this instance holds it: a conditional poll costs no
     * database round trip. Not transactional for the same reason; a miss reads in its own.
     */
    Revision current(String deployment, String environment) {
        RoutingCache.Key key = new RoutingCache.Key(deployment, environment);
        Revision held = cache.get(key);
        if (held != null) {
            return held;
        }
        Revision loaded = store.latest(deployment, environment).orElseThrow(() -> {
            deployments.get(deployment).requireEnvironment(environment);
            return ApiException.notFound("routing config", deployment + "/" + environment);
        });
        cache.offer(key, loaded);
        return loaded;
    }

    /** Reloads an entry another instance (or a gap in listening) may have left behind. */
    void refresh(RoutingCache.Key key) {
        store.latest(key.deployment(), key.environment()).ifPresent(r -> cache.offer(key, r));
    }

    /** The environment a request means: the one named, or the deployment's only one. */
    String environment(String deployment, String environment) {
        if (environment != null && !environment.isBlank()) {
            return environment;
        }
        DeploymentView d = deployments.get(deployment);
        if (d.environments().size() == 1) {
            return d.environments().get(0);
        }
        throw ApiException.invalid("environment", "environment is required: deployment '" + deployment + "' has "
                + d.environments());
    }

    /** The current revision number of an environment's routing config. */
    public long currentRevision(String deployment, String environment) {
        return current(deployment, environment).number();
    }

    /** The current routing document (qreg.routing/v1 canonical JSON). */
    public String currentDocument(String deployment, String environment) {
        return current(deployment, environment).body();
    }

    // ---------------------------------------------------------------- revisions

    @Transactional(readOnly = true)
    public Page<RoutingViews.RevisionEntry> revisions(String deployment, String environment, Pageable pageable) {
        DeploymentView d = deployments.get(deployment);
        String env = d.requireEnvironment(environment);
        List<RoutingViews.RevisionEntry> items = store.list(d.id(), env, pageable.getPageSize(), pageable.getOffset())
                .stream().map(e -> new RoutingViews.RevisionEntry(e.revision(), e.etag(), e.generatedAt())).toList();
        return new PageImpl<>(items, pageable, store.count(d.id(), env));
    }

    @Transactional(readOnly = true)
    Revision revision(String deployment, String environment, long revision) {
        DeploymentView d = deployments.get(deployment);
        String env = d.requireEnvironment(environment);
        return store.get(d.id(), env, revision).orElseThrow(() -> ApiException.notFound("revision",
                revision + " of " + deployment + "/" + env));
    }

    /**
     * The exact stored documents of several revisions in one read, by revision number (numbers that
     * do not exist are absent): for people comparing revisions, such as the portal's diff.
     */
    @Transactional(readOnly = true)
    public java.util.SortedMap<Long, String> revisionDocuments(String deployment, String environment,
            java.util.Collection<Long> revisions) {
        DeploymentView d = deployments.get(deployment);
        String env = d.requireEnvironment(environment);
        return new java.util.TreeMap<>(store.bodies(d.id(), env, revisions));
    }

    // ---------------------------------------------------------------- gateways

    @Transactional
    public RoutingViews.GatewayView ack(String deployment, RoutingViews.AckRequest request) {
        if (request == null || request.revision() == null) {
            throw ApiException.invalid("revision", "revision is required: the revision the gateway applied");
        }
        String gateway = request.gateway() == null || request.gateway().isBlank() ? CurrentUser.username()
                : request.gateway().trim();
        if (!GATEWAY.matcher(gateway).matches()) {
            throw ApiException.invalid("gateway", "gateway is an id of 1-128 letters, digits and . _ : @ / -,"
                    + " e.g. 'envoy-eu-1'; got '" + request.gateway() + "'");
        }
        DeploymentView d = deployments.get(deployment);
        String env = d.requireEnvironment(environment(deployment, request.environment()));
        long current = store.head(d.id(), env).map(RoutingRevisions.Head::revision).orElse(0L);
        if (request.revision() < 1 || request.revision() > current) {
            throw ApiException.invalid("revision", "revision " + request.revision() + " of " + deployment + "/"
                    + env + " does not exist; the current revision is " + current);
        }
        Optional<RoutingRevisions.Ack> before = store.ack(d.id(), env, gateway);
        RoutingRevisions.Ack ack = before.filter(a -> a.revision() == request.revision()).orElse(null);
        if (ack == null) {
            ack = new RoutingRevisions.Ack(gateway, request.revision(), Timestamps.now(), CurrentUser.username());
            store.saveAck(d.id(), env, ack);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("gateway", gateway);
            details.put("revision", ack.revision());
            details.put("previousRevision", before.map(RoutingRevisions.Ack::revision).orElse(null));
            audit.record("routing.acknowledged", "routing", d.name() + "/" + env, before.orElse(null), ack, details);
        }
        return gatewayView(ack, current);
    }

    @Transactional(readOnly = true)
    public RoutingViews.GatewaysView gateways(String deployment, String environment) {
        DeploymentView d = deployments.get(deployment);
        String env = d.requireEnvironment(environment(deployment, environment));
        long current = store.head(d.id(), env).map(RoutingRevisions.Head::revision).orElse(0L);
        return new RoutingViews.GatewaysView(d.name(), env, current,
                store.acks(d.id(), env).stream().map(a -> gatewayView(a, current)).toList());
    }

    private static RoutingViews.GatewayView gatewayView(RoutingRevisions.Ack a, long current) {
        return new RoutingViews.GatewayView(a.gateway(), a.revision(), a.ackedAt(), a.ackedBy(),
                a.revision() < current, Math.max(0, current - a.revision()));
    }

    // ---------------------------------------------------------------- history

    /** Which backends served each tier at {@code at}, read from the revision gateways had then. */
    @Transactional(readOnly = true)
    public RoutingViews.HistoryView history(String deployment, Instant at, String environment, String tier) {
        DeploymentView d = deployments.get(deployment);
        List<String> environments = environment == null || environment.isBlank() ? d.environments()
                : List.of(d.requireEnvironment(environment));
        List<TierView> tiers = tier == null || tier.isBlank() ? d.tiers() : List.of(d.requireTier(tier));
        List<RoutingViews.HistoryEntry> entries = new ArrayList<>();
        for (String env : environments) {
            Optional<Revision> revision = store.at(d.id(), env, at);
            Map<String, Map<String, Object>> rules = new LinkedHashMap<>();
            revision.ifPresent(r -> rulesOf(r).forEach(rule -> rules.put((String) rule.get("name"), rule)));
            for (TierView t : tiers) {
                Map<String, Object> rule = rules.get(t.name());
                List<RoutingViews.ServedBackend> served = rule == null ? List.of()
                        : served(d, env, t.name(), revision.get(), rule);
                entries.add(new RoutingViews.HistoryEntry(env, t.name(), revision.map(Revision::number).orElse(null),
                        revision.map(Revision::createdAt).orElse(null), served));
            }
        }
        return new RoutingViews.HistoryView(d.name(), at, entries);
    }

    @SuppressWarnings("unchecked")
    private List<RoutingViews.ServedBackend> served(DeploymentView d, String env, String tier, Revision revision,
            Map<String, Object> rule) {
        Optional<Rollout> canaryRollout = rule.get("rollout") instanceof Map<?, ?> r
                ? rollouts.find(UUID.fromString((String) r.get("id"))) : Optional.empty();
        Optional<Rollout> stableRollout = rollouts.completedAt(d.id(), env, tier, revision.createdAt());
        List<RoutingViews.ServedBackend> served = new ArrayList<>();
        for (Map<String, Object> b : (List<Map<String, Object>>) rule.get("backends")) {
            String id = (String) b.get("variant");
            Optional<Rollout> by = "stable".equals(b.get("role")) ? stableRollout : canaryRollout;
            Optional<Rollout> matching = by.filter(r -> r.candidate().id().toString().equals(id));
            served.add(new RoutingViews.ServedBackend(id, (String) b.get("source"), (String) b.get("precision"),
                    ((Number) b.get("weight")).intValue(), (String) b.get("role"), (String) b.get("sha256"),
                    matching.map(Rollout::id).orElse(null), matching.map(Rollout::approvalId).orElse(null),
                    matching.map(Rollout::signedBy).orElse(List.of())));
        }
        return served;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rulesOf(Revision r) {
        return (List<Map<String, Object>>) RoutingFormats.parse(r.body()).get("rules");
    }
}
