from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The sign-in form with Chinese labels and autofocus on the user name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.error_messages["invalid_login"] = "用户名或密码不正确。请注意区分大小写。"
        self.error_messages["inactive"] = "该账号已停用，请联系管理员。"
