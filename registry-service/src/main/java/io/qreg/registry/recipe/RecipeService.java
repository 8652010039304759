package io.qreg.registry.recipe;

import java.util.List;
import java.util.Map;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.AdvisoryLocks;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.ImmutableViews;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Versions recipes by content: a new configuration under an existing name becomes version n+1,
 * and a configuration already recorded under that name returns the version that has it.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class RecipeService {

    private final RecipeRepository recipes;
    private final AuditLog audit;
    private final AdvisoryLocks locks;
    private final ImmutableViews<String, RecipeView> views = new ImmutableViews<>();

    /** The stored version and whether this call created it. */
    public record Saved(RecipeView recipe, boolean created) {
    }

    @Transactional
    public Saved save(RecipeRequest request) {
        RecipeSpec spec = RecipeValidator.validate(request);
        String canonical = CanonicalJson.write(spec);
        String hash = CanonicalJson.sha256Hex(canonical);
        // Versions of one name are numbered in order: concurrent posts of that name take turns.
        locks.lock("recipe:" + request.name());
        var existing = recipes.findByNameAndHash(request.name(), hash);
        if (existing.isPresent()) {
            return new Saved(existing.get().view(spec), false);
        }
        int version = recipes.maxVersion(request.name()) + 1;
        Recipe recipe = recipes.saveAndFlush(new Recipe(request.name(), version, spec, canonical, hash,
                CanonicalJson.write(spec.excludeNodes()), CanonicalJson.write(spec.excludeOpTypes()),
                CurrentUser.username()));
        RecipeView view = recipe.view(spec);
        audit.record("recipe.versioned", "recipe", view.name() + "@" + version, null, spec,
                Map.of("name", view.name(), "version", version, "hash", hash));
        return new Saved(view, true);
    }

    /** Not transactional: recipe versions never change, so a cached view costs no connection. */
    public RecipeView get(String name, int version) {
        return views.get(name + "@" + version, key -> recipes.findByNameAndVersion(name, version)
                .map(Recipe::view)
                .orElseThrow(() -> ApiException.notFound("recipe version", key)));
    }

    @Transactional(readOnly = true)
    public List<RecipeView> versions(String name) {
        List<RecipeView> versions = recipes.findByNameOrderByVersionDesc(name).stream().map(Recipe::view).toList();
        if (versions.isEmpty()) {
            throw ApiException.notFound("recipe", name);
        }
        return versions;
    }

    @Transactional(readOnly = true)
    public Page<RecipeView> latest(Pageable pageable) {
        return recipes.findLatestVersions(pageable).map(Recipe::view);
    }

    @Transactional(readOnly = true)
    public long count() {
        return recipes.count();
    }
}
