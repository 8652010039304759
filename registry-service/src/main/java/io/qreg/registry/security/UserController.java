package io.qreg.registry.security;

import java.util.List;
import java.util.Set;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Accounts over HTTP (ADMIN), and who the caller is. */
@RestController
class UserController {

    private final UserService users;

    UserController(UserService users) {
        this.users = users;
    }

    @PostMapping("/api/v1/users")
    @ResponseStatus(HttpStatus.CREATED)
    UserService.UserView create(@RequestBody UserService.NewUser request) {
        return users.create(request);
    }

    @GetMapping("/api/v1/users")
    List<UserService.UserView> list() {
        return users.list();
    }

    record Me(String username, Set<Role> roles) {
    }

    @GetMapping("/api/v1/me")
    Me me() {
        return new Me(CurrentUser.username(), CurrentUser.roles());
    }
}
