package io.qreg.registry.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.ImmutableViews;
import io.qreg.registry.support.Text;
import io.qreg.registry.tag.SubjectTags;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagSubject;
import io.qreg.registry.tag.TagValue;
import io.qreg.registry.tag.Tags;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/** Registers and finds models; the entry point other features use to resolve a model name. */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class ModelService {

    public static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    /**
     * Model reads dominate the API (every checkpoint, variant and portal page resolves one), and a
     * model's row changes only when it is archived or unarchived, so found models are kept for a short
     * while (archiving here evicts; another instance may show the old state for up to the TTL, which is
     * why the archive gate, {@link #requireActive}, reads the row itself). Misses are not cached: a model
     * created on another instance is visible at once.
     */
    static final Duration CACHE_TTL = Duration.ofSeconds(30);
    private static final int CACHE_MAX = 10_000;

    private final ModelRepository models;
    private final ModelSearch searches;
    private final Tags tags;
    private final AuditLog audit;
    private final Map<String, CachedModel> byName = new ConcurrentHashMap<>();
    private final ImmutableViews<java.util.UUID, String> names = new ImmutableViews<>();

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

    /** Active models only, without a tag filter: what the portal's lists show by default. */
    public Page<ModelView> search(String task, String riskTier, String owner, String q, Pageable pageable) {
        return search(task, riskTier, owner, q, null, false, pageable);
    }

    /** {@code archived}: list the archived models instead of the active ones. */
    public Page<ModelView> search(String task, String riskTier, String owner, String q, TagFilter tag,
            boolean archived, Pageable pageable) {
        return searches.search(new ModelSearch.Criteria(Text.blankToNull(task), Text.blankToNull(riskTier), Text.blankToNull(owner),
                q, tag, archived), pageable);
    }

    /** The model with its tags and the aliases {@code aliases} knows of. */
    public ModelDetails details(String name, ModelAliases aliases) {
        ModelView model = get(name);
        return new ModelDetails(model, tags.of(TagSubject.MODEL, model.id()), aliases.aliasesOf(name));
    }

    // ---------------------------------------------------------------- archive and tags

    /**
     * Archives the model ({@code archived}) or makes it active again. Archived, it leaves the default lists and can
     * be neither approved nor rolled out. Idempotent.
     */
    @Transactional
    public ModelView setArchived(String name, boolean archived) {
        Model model = require(name);
        ModelView before = ModelView.of(model);
        if (before.archival().archived() == archived) {
            return before;
        }
        if (archived) {
            model.archive(CurrentUser.username());
        } else {
            model.unarchive();
        }
        ModelView after = ModelView.of(models.saveAndFlush(model));
        byName.remove(name);
        audit.record(Archival.auditAction("model", archived), "model", name, before, after, Map.of());
        return after;
    }

    /**
     * Refuses (409 naming {@code field}) to use an archived model for {@code action}, reading the row itself rather
     * than the cache, so an archive done on another instance counts at once.
     */
    @Transactional(readOnly = true)
    public void requireActive(String name, String field, String action) {
        Archival archival = require(name).getArchival();
        if (archival.archived()) {
            throw archival.refusal(field, "model '" + name + "'", action, "/api/v1/models/" + name + "/unarchive");
        }
    }

    @Transactional
    public SubjectTags putTag(String name, String key, TagValue value) {
        return tags.put(TagSubject.MODEL, require(name).getId(), name, key, value);
    }

    @Transactional
    public SubjectTags removeTag(String name, String key) {
        return tags.remove(TagSubject.MODEL, require(name).getId(), name, key);
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
