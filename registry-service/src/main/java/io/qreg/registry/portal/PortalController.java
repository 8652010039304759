package io.qreg.registry.portal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/** The portal's shell: sign-in, the dashboard, and the model pages. */
@Controller
class PortalController {

    private final ModelService models;
    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;

    PortalController(ModelService models, CheckpointService checkpoints, RecipeService recipes,
            DatasetService datasets) {
        this.models = models;
        this.checkpoints = checkpoints;
        this.recipes = recipes;
        this.datasets = datasets;
    }

    /** A model row of the portal, with how many checkpoints it has. */
    public record ModelSummary(String name, String task, String description, String owner, String riskTier,
            Instant createdAt, long checkpointCount) {
    }

    @GetMapping("/login")
    String login() {
        return "login";
    }

    @GetMapping("/")
    String dashboard(Model page) {
        Page<ModelView> recent = models.search(null, null, null, null,
                PageRequest.of(0, 10, Sort.by(Sort.Direction.DESC, "createdAt")));
        page.addAttribute("modelCount", models.count());
        page.addAttribute("checkpointCount", checkpoints.count());
        page.addAttribute("recipeCount", recipes.count());
        page.addAttribute("datasetCount", datasets.count());
        page.addAttribute("recentModels", summaries(recent).getContent());
        return "dashboard";
    }

    @GetMapping("/models")
    String models(@RequestParam(required = false) String q, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size, Model view) {
        Page<ModelView> found = models.search(null, null, null, q, Pagination.of(page, size, Sort.by("name")));
        view.addAttribute("models", summaries(found));
        view.addAttribute("q", q);
        return "models/list";
    }

    @GetMapping("/models/{name}")
    String model(@PathVariable String name, Model view) {
        ModelView model = models.get(name);
        var list = checkpoints.listForModel(name, PageRequest.of(0, Pagination.MAX_SIZE,
                Sort.by(Sort.Direction.DESC, "createdAt")));
        view.addAttribute("model", new ModelSummary(model.name(), model.task(), model.description(), model.owner(),
                model.riskTier(), model.createdAt(), list.getTotalElements()));
        view.addAttribute("checkpoints", list.getContent());
        return "models/detail";
    }

    private Page<ModelSummary> summaries(Page<ModelView> page) {
        List<UUID> ids = page.getContent().stream().map(ModelView::id).toList();
        Map<UUID, Long> counts = checkpoints.countsByModel(ids);
        return page.map(m -> new ModelSummary(m.name(), m.task(), m.description(), m.owner(), m.riskTier(),
                m.createdAt(), counts.getOrDefault(m.id(), 0L)));
    }
}
