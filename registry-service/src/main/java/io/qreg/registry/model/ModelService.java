package io.qreg.registry.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.ImmutableViews;
import io.qreg.registry.support.Text;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registers and finds models; the entry point other features use to resolve a model name. */
@Service
public class ModelService {

    public static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    /**
     * Model reads dominate the API (every checkpoint, variant and portal page resolves one), and a
     * model's row never changes after creation, so found models are kept for a short while. Misses
     * are not cached: a model created on another instance is visible at once.
     */
    static final Duration CACHE_TTL = Duration.ofSeconds(30);
    private static final int CACHE_MAX = 10_000;

    private final ModelRepository models;
    private final AuditLog audit;
    private final Map<String, CachedModel> byName = new ConcurrentHashMap<>();
    private final ImmutableViews<java.util.UUID, String> names = new ImmutableViews<>();

    ModelService(ModelRepository models, AuditLog audit) {
        this.models = models;
        this.audit = audit;
    }

    private record CachedModel(ModelView view, Instant until) {
    }

    public record NewModel(String name, String task, String description, String owner, String riskTier) {
    }

    @Transactional
    public ModelView create(NewModel request) {
        if (request.name() == null || !NAME.matcher(request.name()).matches()) {
            throw ApiException.invalid("name", "name must be 1-63 characters of lowercase letters, digits and '-'"
                    + " (not starting or ending with '-'), e.g. 'support-intent'; got '" + request.name() + "'");
        }
        ModelTask task = parse("task", request.task(), ModelTask::parse);
        RiskTier tier = request.riskTier() == null ? RiskTier.STANDARD
                : parse("riskTier", request.riskTier(), RiskTier::parse);
        if (request.description() != null && request.description().length() > 4000) {
            throw ApiException.invalid("description", "description must be at most 4000 characters");
        }
        String owner = request.owner() == null || request.owner().isBlank() ? CurrentUser.username() : request.owner();
        if (owner.length() > 64) {
            throw ApiException.invalid("owner", "owner must be at most 64 characters");
        }
        if (models.existsByName(request.name())) {
            throw ApiException.conflict("model '" + request.name() + "' already exists");
        }
        Model model = models.saveAndFlush(new Model(request.name(), task, request.description(), owner, tier,
                CurrentUser.username()));
        ModelView view = ModelView.of(model);
        audit.record("model.created", "model", model.getName(), null, view, Map.of("riskTier", tier.wireName()));
        return view;
    }

    /** Not transactional on purpose: a cache hit must not cost a connection; the repository reads in its own. */
    public ModelView get(String name) {
        Instant now = Instant.now();
        CachedModel cached = byName.get(name);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.view();
        }
        ModelView view = ModelView.of(require(name));
        if (byName.size() >= CACHE_MAX) {
            byName.clear();
        }
        byName.put(name, new CachedModel(view, now.plus(CACHE_TTL)));
        return view;
    }

    @Transactional(readOnly = true)
    public Page<ModelView> search(String task, String riskTier, String owner, String q, Pageable pageable) {
        String pattern = q == null || q.isBlank() ? null
                : "%" + q.trim().toLowerCase(Locale.ROOT).replace("%", "\\%").replace("_", "\\_") + "%";
        return models.search(Text.blankToNull(task), Text.blankToNull(riskTier), Text.blankToNull(owner), pattern, pageable)
                .map(ModelView::of);
    }

    @Transactional(readOnly = true)
    public long count() {
        return models.count();
    }

    /** The name of a model known by id, for features that store only the id. */
    public String nameOf(java.util.UUID id) {
        return names.get(id, key -> models.findById(key).map(Model::getName)
                .orElseThrow(() -> ApiException.notFound("model", key)));
    }

    Model require(String name) {
        return models.findByName(name).orElseThrow(() -> ApiException.notFound("model", name));
    }

    private static <T> T parse(String field, String value, java.util.function.Function<String, T> parser) {
        if (value == null) {
            throw ApiException.invalid(field, field + " is required");
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, e.getMessage());
        }
    }
}
