module payouts/deploy/temporal/render-config

go 1.21
