"""The admin's accounts page: invitations, roles, deactivation, reset links, leader handover."""
