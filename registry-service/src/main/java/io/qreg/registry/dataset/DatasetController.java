package io.qreg.registry.dataset;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.artifact.Downloads;
import io.qreg.registry.artifact.UploadReceiver;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.VersionResponses;

import org.springframework.core.io.Resource;
import org.springframework.data.domain.Sort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Datasets over HTTP: 201 for a new version, 200 when the same content is already that dataset. */
@RestController
@RequestMapping("/api/v1/datasets")
@RequiredArgsConstructor
class DatasetController {

    private final DatasetService datasets;
    private final UploadReceiver uploads;

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<DatasetView> upload(HttpServletRequest request) {
        DatasetService.Saved saved = datasets.register(uploads.receive(request));
        DatasetView d = saved.dataset();
        String location = "/api/v1/datasets/" + d.name() + "/versions/" + d.version();
        return VersionResponses.registered(saved.created(), location, d);
    }

    @GetMapping
    PageResponse<DatasetView> latest(@RequestParam(required = false) String purpose,
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        return PageResponse.of(datasets.latest(purpose, Pagination.of(page, size, Sort.by("name"))), d -> d);
    }

    @GetMapping("/{name}")
    List<DatasetView> versions(@PathVariable String name) {
        return datasets.versions(name);
    }

    @GetMapping("/{name}/versions/{version}")
    DatasetView get(@PathVariable String name, @PathVariable int version) {
        return datasets.get(name, version);
    }

    @GetMapping("/{name}/versions/{version}/content")
    ResponseEntity<Resource> content(@PathVariable String name, @PathVariable int version,
            HttpServletRequest request) {
        DatasetService.Content content = datasets.content(name, version);
        return Downloads.of(content.resource(), content.sha256(), content.filename(), request);
    }
}
