package io.qreg.registry.deployment;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Deployments over HTTP: define one, read one, list them, archive one. */
@RestController
@RequiredArgsConstructor
class DeploymentController {

    private final DeploymentService deployments;
    private final ServingAudit serving;

    @PostMapping("/api/v1/deployments")
    ResponseEntity<DeploymentView> create(@RequestBody DeploymentRequest request) {
        DeploymentView created = deployments.create(request);
        return ResponseEntity.status(HttpStatus.CREATED)
                .location(java.net.URI.create("/api/v1/deployments/" + created.name())).body(created);
    }

    @GetMapping("/api/v1/deployments")
    PageResponse<DeploymentView> list(@RequestParam(required = false) String model,
            @RequestParam(required = false) String archived, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(deployments.list(model, Archival.listsArchived(archived),
                Pagination.of(page, size, Sort.by("name"))), d -> d);
    }

    @PostMapping("/api/v1/deployments/{name}/archive")
    DeploymentView archive(@PathVariable String name) {
        return deployments.setArchived(name, true);
    }

    @PostMapping("/api/v1/deployments/{name}/unarchive")
    DeploymentView unarchive(@PathVariable String name) {
        return deployments.setArchived(name, false);
    }

    @GetMapping("/api/v1/deployments/{name}")
    DeploymentDetails get(@PathVariable String name) {
        DeploymentView deployment = deployments.get(name);
        return new DeploymentDetails(deployment, serving.servingWithoutValidApproval(deployment.id()));
    }
}
