package io.qreg.registry.recipe;

import java.util.List;

import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.VersionResponses;

import org.springframework.data.domain.Sort;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Recipes over HTTP: 201 for a new version, 200 when the posted configuration already exists. */
@RestController
@RequestMapping("/api/v1/recipes")
@RequiredArgsConstructor
class RecipeController {

    private final RecipeService recipes;

    @PostMapping
    ResponseEntity<RecipeView> save(@RequestBody RecipeRequest request) {
        RecipeService.Saved saved = recipes.save(request);
        RecipeView r = saved.recipe();
        String location = "/api/v1/recipes/" + r.name() + "/versions/" + r.version();
        return VersionResponses.registered(saved.created(), location, r);
    }

    @GetMapping
    PageResponse<RecipeView> latest(@RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(recipes.latest(Pagination.of(page, size, Sort.by("name"))), r -> r);
    }

    @GetMapping("/{name}")
    List<RecipeView> versions(@PathVariable String name) {
        return recipes.versions(name);
    }

    @GetMapping("/{name}/versions/{version}")
    RecipeView get(@PathVariable String name, @PathVariable int version) {
        return recipes.get(name, version);
    }
}
