package io.qreg.registry.job;

import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

@RestController
@RequiredArgsConstructor
class HardwareTargetController {

    private final HardwareTargetService targets;

    @PostMapping("/api/v1/hardware-targets")
    @ResponseStatus(HttpStatus.CREATED)
    HardwareTargetService.HardwareTarget create(@RequestBody HardwareTargetService.NewTarget request) {
        return targets.create(request);
    }

    @GetMapping("/api/v1/hardware-targets")
    PageResponse<HardwareTargetService.HardwareTarget> list(@RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(targets.list(Pagination.of(page, size, Sort.by("name"))), t -> t);
    }
}
